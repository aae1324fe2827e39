import { Command } from '@nestjs/cqrs';
import type { Mode } from '../../../domain/mail-config/mail-config.types';
import type { CommandContext } from '../../common/command-context';
import type { MailConfigView } from '../mail-config.view';

/**
 * Switch the active mode; Gmail needs a grant and SMTP a saved server first (the decider says).
 * Switching to SMTP runs the Test on the saved configuration unless it passed one recently;
 * `force` skips that and is recorded.
 */
export class ChangeModeCommand extends Command<MailConfigView> {
  constructor(
    readonly tenantId: string,
    readonly mode: Mode,
    readonly context: CommandContext,
    /** The version the caller last saw (If-Match): a newer stream refuses the command. */
    readonly expectedVersion?: number,
    readonly force = false,
  ) {
    super();
  }
}
