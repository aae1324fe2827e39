import { GrantRevokedError, type OutgoingMessage, type SentMessage } from './mail-transport.port';

/**
 * Mode 2's outgoing side: the Gmail API as the authorized account. Separate from the OAuth port:
 * the send use case and the consent check need this and nothing of the consent round trip.
 */
export const GMAIL_TRANSPORT = Symbol('GMAIL_TRANSPORT');

export { GrantRevokedError };

/**
 * A tenant's Gmail grant as the Gmail transport needs it. `key` changes with every
 * authorization, so a replaced grant never reuses an access token of the previous one; the
 * refresh token is opened only when a refresh is actually needed.
 */
export interface GmailGrantRef {
  tenantId: string;
  key: string;
  /** When this grant was given (GmailAuthorized.authorizedAt): which grant a revocation is about. */
  authorizedAt: string;
  refreshToken: () => Promise<string>;
}

/** Mode 2: sends through the Gmail API as the authorized account. */
export interface GmailTransport {
  /**
   * Throws GrantRevokedError when Google answers invalid_grant, MailTransportError otherwise
   * (after retrying transient failures).
   */
  send(grant: GmailGrantRef, message: OutgoingMessage): Promise<SentMessage>;
  /** A refresh now, bypassing the cache (the scheduled consent check). Throws like refreshAccessToken. */
  refreshNow(grant: GmailGrantRef): Promise<void>;
}
