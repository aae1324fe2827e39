import { type EncryptedValue } from '../../domain/mail-config/mail-config.types';

export const CIPHER = Symbol('CIPHER');

/** What a ciphertext is bound to: moving it to another tenant or field makes it fail to decrypt. */
export interface SecretContext {
  tenantId: string;
  field: string;
}

export interface Cipher {
  encrypt(plaintext: string, context: SecretContext): Promise<EncryptedValue>;
  /** Throws CredentialUnavailableError; never returns an empty or partial plaintext. */
  decrypt(secret: EncryptedValue, context: SecretContext): Promise<string>;
  /** Makes every secret of the tenant unrecoverable (crypto-shredding). */
  shred(tenantId: string): Promise<void>;
}

export class CredentialUnavailableError extends Error {
  /** A shredded key means the tenant was erased: whichever path noticed first, it answers as erasure does. */
  get code(): 'TENANT_ERASED' | 'CREDENTIAL_UNAVAILABLE' {
    return this.reason === 'shredded' ? 'TENANT_ERASED' : 'CREDENTIAL_UNAVAILABLE';
  }

  get details(): Record<string, unknown> | undefined {
    return this.reason === 'shredded' ? undefined : { reason: this.reason };
  }

  constructor(
    readonly reason: 'key_missing' | 'integrity' | 'shredded',
    message: string,
  ) {
    super(message);
    this.name = 'CredentialUnavailableError';
  }
}
