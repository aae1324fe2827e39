import { GMAIL_SEND_SCOPE } from '../../domain/mail-config/mail-config.types';
import { GrantRevokedError } from './mail-transport.port';

/**
 * Google as the application sees it: the OAuth round trip and its tokens (sending through the
 * Gmail API is gmail-transport.port.ts). No library type crosses this file; infrastructure/google
 * translates.
 */
export const GOOGLE_OAUTH = Symbol('GOOGLE_OAUTH');

/** What we ask Google for, and nothing wider: send mail, and learn which account granted it. */
export const GMAIL_REQUESTED_SCOPES: readonly string[] = ['openid', 'email', GMAIL_SEND_SCOPE];

/**
 * invalid_grant: the grant is gone for good (revoked by the user, password change, expired).
 * One class for the OAuth port and the mail transports, so whoever catches it needs one check.
 */
export { GrantRevokedError };

/** Google did not answer in time, answered 5xx or 429, or the network failed: try again later. */
export class GoogleUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoogleUnavailableError';
  }
}

/** Google refused the request for another reason (bad code, client misconfigured, bad answer). */
export class GoogleRejectedError extends Error {
  constructor(
    /** Google's `error` code (e.g. invalid_client) or `http_<status>`; never a token. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GoogleRejectedError';
  }
}

export interface AuthorizationUrlRequest {
  /** Opaque, signed, single-use value Google hands back to the callback. */
  state: string;
  /** base64url(SHA-256(code verifier)): PKCE with S256. */
  codeChallenge: string;
}

export interface AccessToken {
  token: string;
  expiresAt: Date;
}

/** The outcome of exchanging an authorization code. */
export interface GoogleGrant {
  /** The account's email address, read from userinfo. */
  account: string;
  /** What the user actually granted: granular consent lets them untick scopes. */
  grantedScopes: string[];
  /** null when Google sent none (it only does on a consent with offline access). */
  refreshToken: string | null;
  accessToken: AccessToken;
}

export interface GoogleOAuth {
  /** The consent URL: our scopes only, offline access, consent prompt, PKCE S256, the state. */
  authorizationUrl(request: AuthorizationUrlRequest): string;
  /**
   * Exchanges the code with the PKCE verifier, then reads the account email from userinfo.
   * Throws GoogleUnavailableError or GoogleRejectedError.
   */
  exchangeCode(code: string, codeVerifier: string): Promise<GoogleGrant>;
  /** A fresh access token. Throws GrantRevokedError (invalid_grant) or GoogleUnavailableError / GoogleRejectedError. */
  refreshAccessToken(refreshToken: string): Promise<AccessToken>;
  /** Revokes the token and with it the grant. A token Google no longer knows counts as revoked. */
  revoke(token: string): Promise<void>;
}
