import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { smtpDefaults } from '../../../domain/mail-config/mail-config.types';
import { CIPHER, type Cipher } from '../../ports/cipher.port';
import { CLOCK, type Clock } from '../../ports/clock.port';
import { SmtpActivationGate } from '../../smtp-test/smtp-activation-gate';
import { SMTP_PASSWORD_FIELD } from '../credential-status';
import { DecideAndAppend } from '../decide-and-append';
import { MailConfigPresenter } from '../mail-config.presenter';
import type { MailConfigView } from '../mail-config.view';
import { StateReader } from '../state-reader';
import { ConfigureSmtpCommand } from './configure-smtp.command';

@CommandHandler(ConfigureSmtpCommand)
export class ConfigureSmtpHandler implements ICommandHandler<ConfigureSmtpCommand> {
  constructor(
    private readonly decideAndAppend: DecideAndAppend,
    private readonly presenter: MailConfigPresenter,
    private readonly reader: StateReader,
    private readonly gate: SmtpActivationGate,
    @Inject(CIPHER) private readonly cipher: Cipher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ tenantId, settings, context, expectedVersion }: ConfigureSmtpCommand): Promise<MailConfigView> {
    this.gate.refuseForbiddenTarget(settings.host, settings.port);
    const at = this.clock.now().toISOString();
    const { security, username } = smtpDefaults(settings);
    const activate = settings.activate ?? false;
    const force = activate && (settings.force ?? false);
    let evidence;
    if (activate && !force) {
      const { state, version } = await this.reader.load(tenantId);
      // A stale If-Match is answered 412 by the append, without running a Test first.
      if (expectedVersion === undefined || expectedVersion === version) {
        const { address, host, port } = settings;
        const password = settings.password ?? null;
        evidence = await this.gate.forNewSettings(
          tenantId,
          state,
          { address, host, port, security, username, password },
          at,
          context,
        );
      }
    }
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
          security,
          username,
          password,
          activate,
          at,
          ...(force ? { force } : {}),
          ...(evidence ? { evidence } : {}),
        },
      },
      context,
      { expectedVersion },
    );
    // Sealed just now: the view need not open it again to say it is readable.
    return this.presenter.present(tenantId, current, password);
  }
}
