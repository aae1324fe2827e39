import { type EncryptedValue } from '../../domain/mail-config/mail-config.types';
import { GMAIL_REFRESH_TOKEN_FIELD } from '../mail-config/credential-status';
import { type Cipher, CredentialUnavailableError } from '../ports/cipher.port';
import { type GoogleOAuth } from '../ports/google-oauth.port';

export interface GoogleRevocationOutcome {
  ok: boolean;
  message: string | null;
  /** Worth trying again later (Google unavailable or refused); false when the token cannot be opened. */
  retry: boolean;
}

/** Asks Google to revoke a sealed refresh token; never throws, the outcome says what happened. */
export async function revokeAtGoogle(
  google: GoogleOAuth,
  cipher: Cipher,
  tenantId: string,
  sealed: EncryptedValue,
): Promise<GoogleRevocationOutcome> {
  let token: string;
  try {
    token = await cipher.decrypt(sealed, { tenantId, field: GMAIL_REFRESH_TOKEN_FIELD });
  } catch (error) {
    if (!(error instanceof CredentialUnavailableError)) throw error;
    return {
      ok: false,
      message: `The refresh token could not be opened (${error.reason}), so Google was not asked to revoke it`,
      retry: false,
    };
  }
  try {
    await google.revoke(token);
    return { ok: true, message: null, retry: false };
  } catch (error) {
    return { ok: false, message: (error as Error).message, retry: true };
  }
}
