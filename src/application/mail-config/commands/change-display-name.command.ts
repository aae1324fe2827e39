import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';
import type { MailConfigView } from '../mail-config.view';

/** Set (or, with null, clear) the display name the From carries in every mode. */
export class ChangeDisplayNameCommand extends Command<MailConfigView> {
  constructor(
    readonly tenantId: string,
    readonly displayName: string | null,
    readonly context: CommandContext,
    /** The version the caller last saw (If-Match): a newer stream refuses the command. */
    readonly expectedVersion?: number,
  ) {
    super();
  }
}
