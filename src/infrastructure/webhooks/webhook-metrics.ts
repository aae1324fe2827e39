import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { type WebhookAttemptOutcome } from '../../application/ports/webhook-endpoint.port';
import {
  type WebhookDeliveryStatus,
  type WebhookDeliveryStore,
} from '../../application/ports/webhook-delivery-store.port';
import { type WebhookMetrics } from '../../application/webhooks/webhook-metrics';

const OUTCOMES: WebhookAttemptOutcome[] = ['delivered', 'rejected', 'timeout', 'unreachable', 'refused'];
const STATUSES: WebhookDeliveryStatus[] = ['pending', 'failed'];

/**
 * Webhook series in the instance's registry: attempts by outcome (counted where they happen) and
 * the queue's depth and dead letters, read from the shared store at scrape time so every instance
 * reports the same numbers whoever made the attempts.
 */
export class PrometheusWebhookMetrics implements WebhookMetrics {
  private readonly attempts: Counter<'outcome'>;
  private readonly attemptSeconds: Histogram<'outcome'>;
  private readonly deadLetters: Counter;

  constructor(registry: Registry, store: WebhookDeliveryStore | null) {
    this.attempts = new Counter({
      name: 'mail_config_webhook_attempts_total',
      help:
        'Webhook delivery attempts by outcome ' +
        '(delivered, rejected: non-2xx, timeout, unreachable, refused: address policy)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.attemptSeconds = new Histogram({
      name: 'mail_config_webhook_attempt_duration_seconds',
      help: 'Webhook attempt duration by outcome',
      labelNames: ['outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30],
      registers: [registry],
    });
    this.deadLetters = new Counter({
      name: 'mail_config_webhook_dead_letters_total',
      help: 'Webhook deliveries that ran out of retries at this instance (listed as failed for support)',
      registers: [registry],
    });
    for (const outcome of OUTCOMES) this.attempts.inc({ outcome }, 0);
    new Gauge({
      name: 'mail_config_webhook_deliveries',
      help: 'Webhook deliveries by status: pending (queue depth) and failed (dead letters awaiting replay)',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        if (!store) return;
        // An unreachable store must not fail the whole scrape.
        const counts = await store.counts().catch(() => null);
        if (counts) for (const status of STATUSES) this.set({ status }, counts[status]);
      },
    });
  }

  attempted(outcome: WebhookAttemptOutcome, durationSeconds: number): void {
    this.attempts.inc({ outcome });
    this.attemptSeconds.observe({ outcome }, durationSeconds);
  }

  deadLettered(): void {
    this.deadLetters.inc();
  }
}
