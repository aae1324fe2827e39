import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';

export interface ConsentCheckResult {
  checked: number;
  revoked: number;
  /** Google could not be asked (unavailable, refused for another reason): nothing recorded. */
  failed: number;
}

/**
 * Notices a consent withdrawn at Google before a customer message runs into it: refreshes every
 * authorized tenant's token and records a revocation when Google answers invalid_grant, so the
 * dashboard shows it. Transient failures are only logged; they are no revocation. Run by the
 * scheduler; one run at a time, a run asked for while one is going joins it.
 */
export class CheckGmailConsentsCommand extends Command<ConsentCheckResult> {
  constructor(readonly context: CommandContext) {
    super();
  }
}
