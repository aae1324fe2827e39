import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';

export interface MicrosoftConsentCheckResult {
  checked: number;
  revoked: number;
  /** Microsoft could not be asked (unavailable, refused for another reason): nothing recorded. */
  failed: number;
}

/**
 * Notices a Microsoft 365 consent that ended at Microsoft before a customer message runs into
 * it: refreshes every authorized tenant's token and records ConsentRevoked{provider: microsoft,
 * revoked_at_provider} when the identity platform says the grant is gone. Throttling and outages
 * are only logged. One run at a time; a run asked for while one is going joins it.
 */
export class CheckMicrosoftConsentsCommand extends Command<MicrosoftConsentCheckResult> {
  constructor(readonly context: CommandContext) {
    super();
  }
}
