import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '../ports/clock.port';
import {
  type ClaimedWebhookDelivery,
  WEBHOOK_DELIVERY_STORE,
  type WebhookAttemptRecord,
  type WebhookDeliveryStore,
} from '../ports/webhook-delivery-store.port';
import { WEBHOOK_ENDPOINT, type WebhookEndpoint } from '../ports/webhook-endpoint.port';
import { WEBHOOK_METRICS, type WebhookMetrics } from './webhook-metrics';
import { nextAttemptAfter, WEBHOOK_SETTINGS, type WebhookSettings } from './webhook-settings';

/**
 * Works the durable queue on every instance: claims due deliveries (a claim is held by one
 * instance only, for longer than an attempt can take), attempts them, records the outcome and
 * the next attempt from the retry schedule, or the dead letter when it is spent. It wakes when
 * the earliest pending delivery falls due, when this instance's feed queued something, and at
 * least every `pollMs` for what other instances queued.
 */
@Injectable()
export class WebhookDispatcher {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private cycle: Promise<void> | null = null;
  private again = false;
  /** The queue's last error, logged once rather than on every poll while the store is down. */
  private queueError: string | null = null;
  private lastPurge = 0;
  /** Fired by stop(): attempts in flight are cut rather than holding shutdown up to WEBHOOK_TIMEOUT. */
  private stopping = new AbortController();

  constructor(
    @Inject(WEBHOOK_DELIVERY_STORE) private readonly store: WebhookDeliveryStore,
    @Inject(WEBHOOK_ENDPOINT) private readonly endpoint: WebhookEndpoint,
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    @Inject(WEBHOOK_METRICS) private readonly metrics: WebhookMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    this.wake();
  }

  /**
   * Stops claiming and abandons attempts in flight: their requests are cut and their claims handed
   * back unrecorded, so the next start (or another instance) retries them at once without spending
   * a step of their retry schedule. The receiver may have got the request: the `webhook-id` is the
   * same on the retry, which is what at-least-once promises.
   */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.stopping.abort();
    await this.cycle;
  }

  /** Look at the queue now (something was queued or replayed here). */
  wake(): void {
    if (!this.running) return;
    if (this.cycle) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.cycle = this.work().finally(() => {
      this.cycle = null;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async work(): Promise<void> {
    let wait = this.settings.pollMs;
    try {
      for (;;) {
        if (!this.running) return;
        const now = this.clock.now();
        const claimed = await this.store.claimDue(now, this.settings.concurrency, this.settings.leaseMs);
        if (claimed.length === 0) break;
        await Promise.all(claimed.map((c) => this.attempt(c)));
      }
      await this.purgeHourly();
      const due = await this.store.nextDueAt();
      if (due) wait = Math.min(wait, Math.max(0, due.getTime() - this.clock.now().getTime()));
      if (this.queueError) this.logger.log('webhook queue reachable again');
      this.queueError = null;
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.queueError) this.logger.error(`webhook queue unavailable: ${message}`);
      this.queueError = message;
    }
    if (this.running) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.wake(), wait);
      this.timer.unref();
    }
  }

  /** Every instance may purge: deleting what another already deleted is harmless. */
  private async purgeHourly(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastPurge < 3_600_000) return;
    this.lastPurge = now;
    const purged = await this.store.purgeDelivered(new Date(now - this.settings.keepDeliveredMs));
    if (purged > 0) this.logger.log(`deleted ${purged} webhook deliveries delivered more than 30 days ago`);
  }

  private async attempt({ delivery, claim }: ClaimedWebhookDelivery): Promise<void> {
    const started = process.hrtime.bigint();
    const result = await this.endpoint.deliver(delivery.id, delivery.body, this.stopping.signal);
    if (!result) return this.abandoned(delivery.id, claim);
    this.metrics.attempted(result.outcome, Number(process.hrtime.bigint() - started) / 1e9);
    const at = this.clock.now();
    const base = { at, statusCode: result.statusCode, error: result.error };
    let record: WebhookAttemptRecord;
    if (result.outcome === 'delivered') {
      record = { ...base, status: 'delivered' };
    } else {
      const failures = delivery.scheduleIndex + 1;
      const next = nextAttemptAfter(this.settings.retryScheduleMs, failures, at);
      record = next
        ? { ...base, status: 'pending', nextAttemptAt: next, scheduleIndex: failures }
        : { ...base, status: 'failed', scheduleIndex: failures };
    }
    try {
      const kept = await this.store.recordAttempt(delivery.id, claim, record);
      if (kept && record.status === 'failed') {
        this.metrics.deadLettered();
        this.logger.warn(
          `webhook ${delivery.id} (${delivery.type}) failed ${delivery.scheduleIndex + 1} times: ${record.error}; ` +
            'listed as failed for support to replay',
        );
      }
    } catch (error) {
      // The claim runs out and the delivery is tried again: at least once, never lost.
      this.logger.error(`could not record the attempt of webhook ${delivery.id}: ${(error as Error).message}`);
    }
  }

  private async abandoned(id: string, claim: string): Promise<void> {
    try {
      await this.store.release(id, claim, this.clock.now());
      this.logger.log(`webhook ${id}: attempt abandoned at shutdown; due again, not counted as a failure`);
    } catch (error) {
      // The lease runs out instead: retried a little later, still without a failure recorded.
      this.logger.warn(`could not hand back webhook ${id} at shutdown: ${(error as Error).message}`);
    }
  }
}
