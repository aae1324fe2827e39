import { type WebhookConfig } from '../app-config';

export const WEBHOOK_SETTINGS = Symbol('WEBHOOK_SETTINGS');

/** How the feed and the dispatcher run; null when webhooks are off. */
export interface WebhookSettings {
  /** Delays before each retry; past the last the delivery is dead-lettered. */
  retryScheduleMs: number[];
  /** How long a claimed delivery is held: longer than an attempt may take, so no one else tries it meanwhile. */
  leaseMs: number;
  /** Longest wait between two looks at the queue (other instances' deliveries, leases run out). */
  pollMs: number;
  /** Deliveries attempted at once by one instance. */
  concurrency: number;
  /** Wait before resubscribing after the feed failed; how often a standby asks for the feed's lock. */
  retryMs: number;
  /** Delivered deliveries are kept this long for support to look up, then deleted (failed ones stay). */
  keepDeliveredMs: number;
  /** How far behind the events the feed may be before /health/ready reports it (PROJECTIONS_MAX_LAG_MS). */
  maxLagMs: number;
}

export function webhookSettingsFrom(config: WebhookConfig | null, maxLagMs = 5000): WebhookSettings | null {
  if (!config) return null;
  return {
    maxLagMs,
    retryScheduleMs: config.retryScheduleMs,
    leaseMs: config.timeoutMs + 5000,
    pollMs: 1000,
    concurrency: 8,
    retryMs: 2000,
    keepDeliveredMs: 30 * 24 * 3_600_000,
  };
}

/** After `failures` failed attempts in a row: when to try again, or null when the schedule is spent. */
export function nextAttemptAfter(schedule: readonly number[], failures: number, now: Date): Date | null {
  const delay = schedule[failures - 1];
  return delay === undefined ? null : new Date(now.getTime() + delay);
}
