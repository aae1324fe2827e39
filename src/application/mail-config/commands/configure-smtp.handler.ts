import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { smtpDefaults } from '../../../domain/mail-config/mail-config.types';
import { CIPHER, type Cipher } from '../../ports/cipher.port';
import { CLOCK, type Clock } from '../../ports/clock.port';
import { SMTP_PASSWORD_FIELD } from '../credential-status';
import { DecideAndAppend } from '../decide-and-append';
import { MailConfigPresenter } from '../mail-config.presenter';
import type { MailConfigView } from '../mail-config.view';
import { ConfigureSmtpCommand } from './configure-smtp.command';

@CommandHandler(ConfigureSmtpCommand)
export class ConfigureSmtpHandler implements ICommandHandler<ConfigureSmtpCommand> {
  constructor(
    private readonly decideAndAppend: DecideAndAppend,
    private readonly presenter: MailConfigPresenter,
    @Inject(CIPHER) private readonly cipher: Cipher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ tenantId, settings, context, expectedVersion }: ConfigureSmtpCommand): Promise<MailConfigView> {
    // Sealed before the decision: the domain and the event only ever see ciphertext.
    const password =
      settings.password === undefined
        ? null
        : await this.cipher.encrypt(settings.password, { tenantId, field: SMTP_PASSWORD_FIELD });
    const { current } = await this.decideAndAppend.handle(
      tenantId,
      {
        type: 'ConfigureSmtp',
        data: {
          address: settings.address,
          host: settings.host,
          port: settings.port,
          ...smtpDefaults(settings),
          password,
          activate: settings.activate ?? false,
          at: this.clock.now().toISOString(),
        },
      },
      context,
      { expectedVersion },
    );
    // Sealed just now: the view need not open it again to say it is readable.
    return this.presenter.present(tenantId, current, password);
  }
}
