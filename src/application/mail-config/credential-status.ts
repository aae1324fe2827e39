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

const AVAILABLE: CredentialStatus = Object.freeze({ credential: 'available', credentialProblem: null });
/** Tenants whose answer is kept (as many as the state cache keeps folded states). */
const KNOWN_LIMIT = 5000;
/**
 * How long an answer is trusted without a new event. Everything that changes it within the
 * service appends an event (a new secret, an erasure: a new stream version, so a new check); this
 * bounds what nothing announces — an instance that died between shredding a key and recording the
 * erasure, a key store edited by hand.
 */
const KNOWN_FOR_MS = 60_000;

interface Known {
  version: number;
  statuses: CredentialStatuses;
  until: number;
}

/**
 * Whether a tenant's stored secrets can still be opened with the keys this service holds. A
 * secret that cannot is shown as "unavailable" instead of being treated as empty, so the tenant
 * and support see why sending would fail before anyone tries. The plaintext is dropped at once.
 *
 * The answer is kept per stream version: a view read again at the same version does not unwrap
 * a data key and open the secret again, and a secret this process has just sealed is known to
 * open without trying.
 */
@Injectable()
export class CredentialStatusService {
  private readonly known = new Map<string, Known>();

  constructor(@Inject(CIPHER) private readonly cipher: Cipher) {}

  /**
   * `current.version` keys the answer; `sealedNow` is a secret the caller sealed in this request
   * (a command that just stored it), which opens by construction.
   */
  async of(
    tenantId: string,
    current: { state: MailConfigState; version: number },
    sealedNow?: EncryptedValue | null,
  ): Promise<CredentialStatuses> {
    const now = Date.now();
    const known = this.known.get(tenantId);
    if (known && known.version === current.version && known.until > now) return known.statuses;
    const { state } = current;
    const [smtp, gmail] = await Promise.all([
      state.smtp
        ? state.smtp.password === sealedNow
          ? AVAILABLE
          : this.check(tenantId, SMTP_PASSWORD_FIELD, state.smtp.password)
        : null,
      state.gmail.refreshToken ? this.check(tenantId, GMAIL_REFRESH_TOKEN_FIELD, state.gmail.refreshToken) : null,
    ]);
    const statuses = { smtp, gmail };
    this.known.delete(tenantId);
    this.known.set(tenantId, { version: current.version, statuses, until: now + KNOWN_FOR_MS });
    if (this.known.size > KNOWN_LIMIT) this.known.delete(this.known.keys().next().value!);
    return statuses;
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
