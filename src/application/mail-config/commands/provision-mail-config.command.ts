import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';
import type { MailConfigView } from '../mail-config.view';

export interface ProvisionResult {
  /** false when the same username was provisioned before: nothing was recorded. */
  created: boolean;
  view: MailConfigView;
}

/** Mode 1 for a new tenant: its personal support address on the platform's sender domain. */
export class ProvisionMailConfigCommand extends Command<ProvisionResult> {
  constructor(
    readonly tenantId: string,
    readonly username: string,
    readonly context: CommandContext,
    /** The From's display name in every mode; null: none. */
    readonly displayName: string | null = null,
  ) {
    super();
  }
}
