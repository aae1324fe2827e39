/**
 * The main application's webhook receiver. The adapter knows the URL and the signing secret,
 * frames and signs each attempt per Standard Webhooks, and applies the SSRF policy.
 */
export const WEBHOOK_ENDPOINT = Symbol('WEBHOOK_ENDPOINT');

/** How an attempt ended: `refused` is the address policy, before any connection. */
export type WebhookAttemptOutcome = 'delivered' | 'rejected' | 'timeout' | 'unreachable' | 'refused';

export interface WebhookAttemptResult {
  outcome: WebhookAttemptOutcome;
  statusCode: number | null;
  /** Why it failed, in words, without the URL's path or query, never a secret; null when delivered. */
  error: string | null;
}

export interface WebhookEndpoint {
  /**
   * One signed POST of `body` with `webhook-id: id` and a fresh timestamp. Never throws. Null when
   * `abandon` fired before the receiver answered (shutdown): no outcome, so not a failed attempt.
   */
  deliver(id: string, body: string, abandon?: AbortSignal): Promise<WebhookAttemptResult | null>;
}
