import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';

export interface RevocationRetryResult {
  attempted: number;
  revoked: number;
}

/**
 * Asks Google again to revoke the grants it did not confirm when their tenants withdrew consent:
 * every entry that is due (1 min doubling to 6 h, ten tries), or every entry with `dueOnly` false.
 * Run by the scheduler; one run at a time, a run asked for while one is going joins it.
 */
export class RetryGoogleRevocationsCommand extends Command<RevocationRetryResult> {
  constructor(
    readonly context: CommandContext,
    readonly dueOnly = true,
  ) {
    super();
  }
}
