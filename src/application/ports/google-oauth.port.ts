import { GMAIL_SEND_SCOPE } from '../../domain/mail-config/mail-config.types';
import { GrantRevokedError } from './mail-transport.port';
import { type OAuthStateBinding, type OAuthStateRefusal } from './oauth-state.port';

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

export interface AccessToken {
  token: string;
  expiresAt: Date;
}

/** Google's tokens after the consent: refresh and revocation (google-auth-library behind it). */
export interface GoogleOAuth {
  /** A fresh access token. Throws GrantRevokedError (invalid_grant) or GoogleUnavailableError / GoogleRejectedError. */
  refreshAccessToken(refreshToken: string): Promise<AccessToken>;
  /** Revokes the token and with it the grant. A token Google no longer knows counts as revoked. */
  revoke(token: string): Promise<void>;
}

/**
 * The consent round trip (passport-google-oauth20 behind it): the consent URL with our scopes
 * only, offline access, a consent prompt, PKCE S256 and the signed single-use state; and, at the
 * callback, the state spent before anything else, the code exchanged, the account read.
 */
export const GOOGLE_CONSENT = Symbol('GOOGLE_CONSENT');

export interface ConsentStarted {
  authorizationUrl: string;
  expiresAt: Date;
  /** The state in that URL (the callback names the browser cookie after it). */
  state: string;
}

export interface GoogleConsent {
  /** Issues the state for this binding (the PKCE verifier sealed with it) and answers the consent URL. */
  begin(binding: OAuthStateBinding): Promise<ConsentStarted>;
}

/** The grant a consent gave, as the token answer and userinfo describe it. */
export interface GoogleGrant {
  /** The account's email address, read from userinfo (verified, lower-cased). */
  account: string;
  /** What the user actually granted (the token answer's scope): granular consent lets them untick scopes. */
  grantedScopes: string[];
  /** null when Google sent none (it only does on a consent with offline access). */
  refreshToken: string | null;
  /**
   * The access token of the exchange: what revokes a grant that came without a refresh token
   * (a grant refused for a missing scope is revoked at once). Never stored.
   */
  accessToken: string;
}

/**
 * Where the browser's return from Google came to. The state is always looked at first: every
 * outcome but `state_refused` has spent it, so it names the binding to record for and return to.
 */
export type ConsentReturn =
  /** `returnUrl` only when the state is authentic (expired or replayed), never for a forged one. */
  | { outcome: 'state_refused'; reason: OAuthStateRefusal; returnUrl: string | null }
  | { outcome: 'denied'; binding: OAuthStateBinding }
  /** The exchange, userinfo, or Google's own error parameter; `why` is safe to log (no token or code). */
  | { outcome: 'failed'; binding: OAuthStateBinding; why: string }
  | { outcome: 'granted'; binding: OAuthStateBinding; grant: GoogleGrant };
