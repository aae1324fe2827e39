import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';
import type { MailConfigView } from '../mail-config.view';

/** Erase the tenant's configuration: its secrets are shredded, its history kept without them. */
export class EraseMailConfigCommand extends Command<MailConfigView> {
  constructor(
    readonly tenantId: string,
    readonly context: CommandContext,
    /** The version the caller last saw (If-Match): a newer stream refuses the erasure, nothing shredded. */
    readonly expectedVersion?: number,
  ) {
    super();
  }
}
