import { Inject, Injectable } from '@nestjs/common';
import { MailConfigError } from '../../domain/mail-config/mail-config.errors';
import { Mode, SmtpSecurity } from '../../domain/mail-config/mail-config.types';
import { APP_CONFIG, AppConfig } from '../app-config';
import { Cipher, CIPHER } from '../ports/cipher.port';
import { Clock, CLOCK } from '../ports/clock.port';
import { CommandContext, DecideAndAppend } from './decide-and-append';
import { SMTP_PASSWORD_FIELD } from './credential-status';
import { MailConfigPresenter } from './mail-config.presenter';
import { type MailConfigView } from './mail-config.view';
import { StateReader, VersionedState } from './state-reader';

export interface SmtpSettingsInput {
  address: string;
  password?: string;
  host: string;
  port: number;
  security?: SmtpSecurity;
  username?: string;
  activate?: boolean;
}

export { SMTP_PASSWORD_FIELD };

/** Security follows the port unless the tenant chose: 465 is implicit TLS, anything else STARTTLS. */
export function securityFor(port: number, chosen?: SmtpSecurity): SmtpSecurity {
  return chosen ?? (port === 465 ? 'tls' : 'starttls');
}

@Injectable()
export class MailConfigService {
  constructor(
    private readonly commands: DecideAndAppend,
    private readonly reader: StateReader,
    @Inject(CIPHER) private readonly cipher: Cipher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly presenter: MailConfigPresenter,
  ) {}

  private present(tenantId: string, current: VersionedState): Promise<MailConfigView> {
    return this.presenter.present(tenantId, current);
  }

  async changeMode(tenantId: string, mode: Mode, ctx: CommandContext): Promise<MailConfigView> {
    const { current } = await this.commands.handle(tenantId, { type: 'ChangeMode', data: { mode } }, ctx);
    return this.present(tenantId, current);
  }

  async configureSmtp(tenantId: string, input: SmtpSettingsInput, ctx: CommandContext): Promise<MailConfigView> {
    // Sealed before the decision: the domain and the event only ever see ciphertext.
    const password =
      input.password === undefined
        ? null
        : await this.cipher.encrypt(input.password, { tenantId, field: SMTP_PASSWORD_FIELD });
    const { current } = await this.commands.handle(
      tenantId,
      {
        type: 'ConfigureSmtp',
        data: {
          address: input.address,
          host: input.host,
          port: input.port,
          security: securityFor(input.port, input.security),
          username: input.username ?? input.address,
          password,
          activate: input.activate ?? false,
          at: this.clock.now().toISOString(),
        },
      },
      ctx,
    );
    return this.present(tenantId, current);
  }

  /**
   * Crypto-shredding: the tenant's data key goes first, so a crash between the two steps leaves
   * secrets unrecoverable rather than an "erased" tenant whose secrets still open.
   */
  async erase(tenantId: string, ctx: CommandContext): Promise<MailConfigView> {
    const loaded = await this.reader.load(tenantId);
    if (loaded.version === 0)
      throw new MailConfigError('NOT_PROVISIONED', 'This tenant’s mail configuration has not been provisioned');
    if (loaded.state.status === 'erased')
      throw new MailConfigError('TENANT_ERASED', 'This tenant’s mail configuration was erased');
    await this.cipher.shred(tenantId);
    const { current } = await this.commands.handle(
      tenantId,
      { type: 'EraseMailConfig', data: { at: this.clock.now().toISOString() } },
      ctx,
    );
    return this.present(tenantId, current);
  }
}
