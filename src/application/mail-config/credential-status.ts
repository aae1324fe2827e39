import { Inject, Injectable } from '@nestjs/common';
import { MailConfigState } from '../../domain/mail-config/mail-config.state';
import { EncryptedValue } from '../../domain/mail-config/mail-config.types';
import { Cipher, CIPHER, CredentialUnavailableError } from '../ports/cipher.port';

/** The associated-data field names secrets are sealed under; moving a ciphertext between them fails. */
export const SMTP_PASSWORD_FIELD = 'smtp.password';
export const GMAIL_REFRESH_TOKEN_FIELD = 'gmail.refreshToken';

export type CredentialAvailability = 'available' | 'unavailable';

export interface CredentialStatus {
  credential: CredentialAvailability;
  /** Why it cannot be used: its key is gone from the ring, it fails its integrity check, or the tenant was erased. */
  credentialProblem: null | CredentialUnavailableError['reason'];
}

export interface CredentialStatuses {
  /** null when there is no secret to check. */
  smtp: CredentialStatus | null;
  gmail: CredentialStatus | null;
}

/**
 * Whether a tenant's stored secrets can still be opened with the keys this service holds. A
 * secret that cannot is shown as "unavailable" instead of being treated as empty, so the tenant
 * and support see why sending would fail before anyone tries. The plaintext is dropped at once.
 */
@Injectable()
export class CredentialStatusService {
  constructor(@Inject(CIPHER) private readonly cipher: Cipher) {}

  async of(tenantId: string, state: MailConfigState): Promise<CredentialStatuses> {
    const [smtp, gmail] = await Promise.all([
      state.smtp ? this.check(tenantId, SMTP_PASSWORD_FIELD, state.smtp.password) : null,
      state.gmail.refreshToken ? this.check(tenantId, GMAIL_REFRESH_TOKEN_FIELD, state.gmail.refreshToken) : null,
    ]);
    return { smtp, gmail };
  }

  private async check(tenantId: string, field: string, secret: EncryptedValue): Promise<CredentialStatus> {
    try {
      await this.cipher.decrypt(secret, { tenantId, field });
      return { credential: 'available', credentialProblem: null };
    } catch (error) {
      if (error instanceof CredentialUnavailableError)
        return { credential: 'unavailable', credentialProblem: error.reason };
      throw error;
    }
  }
}
