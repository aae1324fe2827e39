import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { SmtpState } from '../../domain/mail-config/mail-config.state';
import { SMTP_PASSWORD_FIELD } from '../mail-config/credential-status';
import { Cipher, CIPHER } from '../ports/cipher.port';
import { OutgoingMessage, SentMessage, TENANT_SMTP_TRANSPORT, TenantSmtpTransport } from '../ports/mail-transport.port';
import { ModeSender, SendingTenant } from './mode-senders';

/**
 * Identifies one saved configuration: any change (host, port, security, user, password,
 * time saved) gives a new version, and with it new pooled connections.
 */
export function smtpConfigVersion(smtp: SmtpState): string {
  const { host, port, security, username, password, configuredAt } = smtp;
  return createHash('sha256')
    .update(JSON.stringify([host, port, security, username, password.keyId, password.ciphertext, configuredAt]))
    .digest('hex')
    .slice(0, 32);
}

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
      { host: smtp.host, port: smtp.port, security: smtp.security, username: smtp.username, password },
      { tenantId, configVersion: smtpConfigVersion(smtp) },
      message,
    );
  }
}
