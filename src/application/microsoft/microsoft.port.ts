import { MICROSOFT_SEND_SCOPE } from '../../domain/mail-config/mail-config.types';
import { GrantRevokedError, type OutgoingMessage, type SentMessage } from '../ports/mail-transport.port';
import { type OAuthStateBinding, type OAuthStateRefusal } from '../ports/oauth-state.port';

/**
 * The Microsoft identity platform and Graph as the application sees them. No MSAL type crosses
 * this file; infrastructure/microsoft translates.
 */
export const MICROSOFT_CONSENT = Symbol('MICROSOFT_CONSENT');
export const MICROSOFT_TRANSPORT = Symbol('MICROSOFT_TRANSPORT');

/** Sealed-secret field of the refresh token (the cipher binds ciphertext to tenant and field). */
export const MICROSOFT_REFRESH_TOKEN_FIELD = 'microsoft.refreshToken';

/**
 * What we ask for, and nothing wider: send mail as the user, keep sending without them
 * (offline_access), and learn which address granted it (openid email). Nothing that reads mail.
 */
export const MICROSOFT_REQUESTED_SCOPES: readonly string[] = [
  MICROSOFT_SEND_SCOPE,
  'offline_access',
  'openid',
  'email',
];

/** Where a tenant removes this app's access on Microsoft's side (no API revokes one app's refresh token). */
export const MICROSOFT_APPS_PAGE = 'https://myapplications.microsoft.com/';
export const MICROSOFT_CONSUMER_APPS_PAGE = 'https://account.live.com/consent/Manage';

export { GrantRevokedError };

/** The identity platform or Graph did not answer in time, answered 5xx or 429: try again later. */
export class MicrosoftUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MicrosoftUnavailableError';
  }
}

/** Refused for another reason (bad client, bad code, unknown error code); `code` is safe to log. */
export class MicrosoftRejectedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'MicrosoftRejectedError';
  }
}

export interface MicrosoftConsentStarted {
  authorizationUrl: string;
  expiresAt: Date;
  /** The state in that URL (the callback names the browser cookie after it). */
  state: string;
}

export interface MicrosoftGrant {
  /** The account's address (id token `email`, else its sign-in name when that is an address), lower-cased. */
  account: string;
  /** What the user granted (the token answer's scope). */
  grantedScopes: string[];
  refreshToken: string | null;
}

/** The browser back from Microsoft. Every outcome but `state_refused` has spent the state. */
export type MicrosoftConsentReturn =
  | { outcome: 'state_refused'; reason: OAuthStateRefusal; returnUrl: string | null }
  | { outcome: 'denied'; binding: OAuthStateBinding }
  /** The directory wants an administrator to approve the app (AADSTS65001, 90094 and kin). */
  | { outcome: 'admin_consent_required'; binding: OAuthStateBinding; why: string }
  /** `why` is safe to log: error codes and messages, never a token, code or verifier. */
  | { outcome: 'failed'; binding: OAuthStateBinding; why: string }
  | { outcome: 'granted'; binding: OAuthStateBinding; grant: MicrosoftGrant };

/** The callback's query as the browser brought it. */
export interface MicrosoftCallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  errorDescription?: string;
  /** The secret of the cookie the consent's browser was given; a state bound to a browser needs it. */
  browserSecret?: string | null;
}

/** The authorization code flow with PKCE through MSAL. */
export interface MicrosoftConsent {
  begin(binding: OAuthStateBinding): Promise<MicrosoftConsentStarted>;
  /** Spends the state first, then exchanges the code with the round trip's verifier. */
  complete(query: MicrosoftCallbackQuery): Promise<MicrosoftConsentReturn>;
}

/** A tenant's Microsoft grant as the transport needs it (see GmailGrantRef). */
export interface MicrosoftGrantRef {
  tenantId: string;
  key: string;
  authorizedAt: string;
  refreshToken: () => Promise<string>;
}

/** Mode `microsoft`: Graph sendMail as the authorized account. */
export interface MicrosoftTransport {
  /** Throws GrantRevokedError when the grant is gone, MailTransportError otherwise. */
  send(grant: MicrosoftGrantRef, message: OutgoingMessage, deadline?: number): Promise<SentMessage>;
  /** A token refresh now (the consent check): throws GrantRevokedError or MicrosoftUnavailableError. */
  refreshNow(grant: MicrosoftGrantRef): Promise<void>;
}
