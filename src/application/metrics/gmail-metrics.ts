/** Counters the Gmail adapter and use cases report; infrastructure implements them with prom-client. */
export const GMAIL_METRICS = Symbol('GMAIL_METRICS');

/** revoked: Google answered invalid_grant; failed: any other error (network, 5xx, bad answer). */
export type TokenRefreshOutcome = 'ok' | 'failed' | 'revoked';

export interface GmailMetrics {
  /** One call per access-token refresh attempted against Google's token endpoint. */
  tokenRefreshed(outcome: TokenRefreshOutcome): void;
  /** A revocation at Google was noticed (invalid_grant while sending or refreshing): once per tenant occurrence. */
  revocationDetected(): void;
}
