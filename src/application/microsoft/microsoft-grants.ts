import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { type MailConfigState } from '../../domain/mail-config/mail-config.state';
import { CIPHER, type Cipher } from '../ports/cipher.port';
import { MICROSOFT_REFRESH_TOKEN_FIELD, type MicrosoftGrantRef } from './microsoft.port';

/** A tenant's Microsoft grant as the transport uses it. */
@Injectable()
export class MicrosoftGrants {
  constructor(@Inject(CIPHER) private readonly cipher: Cipher) {}

  /** null unless Microsoft is authorized. The key names this very grant: a re-authorization gets a new one. */
  grantOf(tenantId: string, state: MailConfigState): MicrosoftGrantRef | null {
    const { microsoft } = state;
    const sealed = microsoft.status === 'authorized' ? microsoft.refreshToken : null;
    if (!sealed || !microsoft.authorizedAt) return null;
    const digest = createHash('sha256').update(sealed.ciphertext).digest('base64url').slice(0, 22);
    return {
      tenantId,
      key: `${tenantId}:${sealed.keyId}:${digest}`,
      authorizedAt: microsoft.authorizedAt,
      // Opened only when a refresh is due; the plaintext lives for that one call.
      refreshToken: () => this.cipher.decrypt(sealed, { tenantId, field: MICROSOFT_REFRESH_TOKEN_FIELD }),
    };
  }
}
