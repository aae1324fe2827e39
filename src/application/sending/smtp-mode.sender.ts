import { Inject, Injectable } from '@nestjs/common';
import { SMTP_PASSWORD_FIELD } from '../mail-config/credential-status';
import { Cipher, CIPHER } from '../ports/cipher.port';
import { OutgoingMessage, SentMessage, TENANT_SMTP_TRANSPORT, TenantSmtpTransport } from '../ports/mail-transport.port';
import { ModeSender, SendingTenant } from './mode-senders';

/** Mode 3: the tenant's server; the password is opened only for the duration of the call. */
@Injectable()
export class SmtpModeSender implements ModeSender {
  readonly mode = 'smtp' as const;

  constructor(
    @Inject(TENANT_SMTP_TRANSPORT) private readonly transport: TenantSmtpTransport,
    @Inject(CIPHER) private readonly cipher: Cipher,
  ) {}

  async send({ tenantId, state }: SendingTenant, message: OutgoingMessage): Promise<SentMessage> {
    const smtp = state.smtp!;
    const password = await this.cipher.decrypt(smtp.password, { tenantId, field: SMTP_PASSWORD_FIELD });
    return this.transport.send(
      tenantId,
      { host: smtp.host, port: smtp.port, security: smtp.security, username: smtp.username, password },
      message,
    );
  }
}
