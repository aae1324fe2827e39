import { type WebhookAttemptOutcome } from '../ports/webhook-endpoint.port';

/** Counters the webhook dispatcher reports; infrastructure implements them with prom-client. */
export const WEBHOOK_METRICS = Symbol('WEBHOOK_METRICS');

export interface WebhookMetrics {
  attempted(outcome: WebhookAttemptOutcome, durationSeconds: number): void;
  /** A delivery ran out of retries and is now a dead letter (listed as failed). */
  deadLettered(): void;
}
