import { Command } from '@nestjs/cqrs';
import type { SmtpSecurity } from '../../../domain/mail-config/mail-config.types';
import type { CommandContext } from '../../common/command-context';
import type { MailConfigView } from '../mail-config.view';

export interface SmtpSettingsInput {
  address: string;
  /** Plaintext, sealed by the handler before anything is decided; absent keeps the saved one. */
  password?: string;
  host: string;
  port: number;
  security?: SmtpSecurity;
  username?: string;
  activate?: boolean;
  /** With activate: skip the Test that activation runs first (recorded in ModeChanged). */
  force?: boolean;
}

/**
 * Save the tenant's own SMTP server (and, with `activate`, switch to it in the same decision,
 * once the Test passed on these settings). A host or port the policy forbids is refused.
 */
export class ConfigureSmtpCommand extends Command<MailConfigView> {
  constructor(
    readonly tenantId: string,
    readonly settings: SmtpSettingsInput,
    readonly context: CommandContext,
    /** The version the caller last saw (If-Match): a newer stream refuses the command. */
    readonly expectedVersion?: number,
  ) {
    super();
  }
}
