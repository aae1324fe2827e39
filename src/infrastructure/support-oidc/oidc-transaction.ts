import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** What the browser must bring back to the callback: the checks of its own authorization request. */
export interface OidcTransaction {
  state: string;
  nonce: string;
  code_verifier: string;
  response_type: string;
}

/** A sign-in must come back from the provider within this time. */
export const OIDC_TRANSACTION_SECONDS = 10 * 60;

/**
 * The authorization request's state, nonce and PKCE verifier, sealed (AES-256-GCM) into a cookie
 * of the browser that started the sign-in: the callback is honoured only in that browser (a
 * forwarded callback URL is refused), at any instance, and no server keeps anything for a sign-in
 * that is never finished. The key is derived from the client secret, which every instance has and
 * nobody else does; the verifier never leaves the service unsealed.
 */
export class OidcTransactionSeal {
  private readonly key: Buffer;

  constructor(
    clientSecret: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', clientSecret, '', 'mcs support oidc transaction', 32));
  }

  seal(transaction: OidcTransaction): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = JSON.stringify({ ...transaction, exp: this.now() + OIDC_TRANSACTION_SECONDS * 1000 });
    const sealed = Buffer.concat([cipher.update(body, 'utf8'), cipher.final()]);
    return [iv, sealed, cipher.getAuthTag()].map((b) => b.toString('base64url')).join('.');
  }

  /** The transaction, or null when the cookie is missing, forged, tampered with or too old. */
  open(value: string | null): OidcTransaction | null {
    const parts = value?.split('.') ?? [];
    if (parts.length !== 3) return null;
    try {
      const [iv, sealed, tag] = parts.map((p) => Buffer.from(p, 'base64url'));
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAuthTag(tag);
      const body = JSON.parse(Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8')) as Record<
        string,
        unknown
      >;
      if (typeof body.exp !== 'number' || body.exp <= this.now()) return null;
      const { state, nonce, code_verifier, response_type } = body;
      if ([state, nonce, code_verifier, response_type].some((v) => typeof v !== 'string')) return null;
      return body as unknown as OidcTransaction;
    } catch {
      return null;
    }
  }
}
