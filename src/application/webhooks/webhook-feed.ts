import { Inject, Injectable, Logger } from '@nestjs/common';
import { type ReadinessResult } from '../health/readiness';
import { PendingLag } from '../projections/pending-lag';
import { MAIL_CONFIG_STREAM_PREFIX, tenantOf } from '../mail-config/streams';
import { CLOCK, type Clock } from '../ports/clock.port';
import { EVENT_STORE, EventDecodeError, type EventStore, type StoredEvent } from '../ports/event-store.port';
import { type HeldProjectionLock, type ProjectionLock } from '../ports/projection-lock.port';
import { WEBHOOK_DELIVERY_STORE, type WebhookDeliveryStore } from '../ports/webhook-delivery-store.port';
import { BatchingFeed } from '../projections/batching-feed';
import { EventQuarantine } from '../projections/event-quarantine';
import { webhookDeliveryFor } from './webhook-messages';
import { WEBHOOK_SETTINGS, type WebhookSettings } from './webhook-settings';

/** The feed's name for the lock it shares with the projections' kind of leadership. */
export const WEBHOOK_FEED = 'webhooks';
/** The lock the feed campaigns for: the projections' kind (advisory lock, or in-process), its own instance. */
export const WEBHOOK_FEED_LOCK = Symbol('WEBHOOK_FEED_LOCK');

/**
 * Turns the event stream into queued webhook deliveries: a checkpointed subscription (never the
 * in-memory EventBus), each batch's deliveries and the checkpoint committed in one transaction,
 * so a restart or another instance taking over resumes exactly after the last commit. Only the
 * lock holder subscribes; the store's checkpoint, taken for update, keeps a second writer from
 * queueing an event twice anyway. The first start begins at the store's head: switching
 * webhooks on does not replay history. An erased tenant's deliveries, told or not, go with it.
 */
@Injectable()
export class WebhookFeed {
  private readonly logger = new Logger(WebhookFeed.name);
  private feed: BatchingFeed | null = null;
  private held: HeldProjectionLock | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** The poisoned event last named in the log, so a retry every few seconds does not repeat it. */
  private reportedPoison: bigint | null = null;
  /** Why the feed is not following the events (for /health/ready); null while it does. */
  private lastError: string | null = null;
  private caughtUp = false;
  private readonly pendingLag: PendingLag;
  /** Called after a batch queued something (the dispatcher of this instance looks at once). */
  onQueued: () => void = () => undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(WEBHOOK_DELIVERY_STORE) private readonly store: WebhookDeliveryStore,
    @Inject(WEBHOOK_FEED_LOCK) private readonly lock: ProjectionLock,
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    private readonly quarantine: EventQuarantine,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.pendingLag = new PendingLag(events);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.campaign();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.closeFeed();
    const held = this.held;
    this.held = null;
    await held?.release();
  }

  /**
   * For /health/ready (registered as not required, see WebhooksModule): where the feed stands, and
   * when it is stopped or behind, why and by how much. A standby measures the shared checkpoint.
   */
  async readiness(): Promise<ReadinessResult> {
    const head = await this.events.headPosition();
    const checkpoint = (await this.store.checkpoint()) ?? head;
    // null: the next event cannot be read, so its age is unknown; the error below says which it is.
    const lagMs = await this.pendingLag.at(checkpoint, head, this.clock.now());
    const error = this.running ? this.lastError : 'the webhook feed is not running';
    const behind = lagMs === null || lagMs > this.settings.maxLagMs;
    const state = error ? 'stopped' : behind ? 'behind' : !this.held ? 'standby' : 'caught_up';
    return {
      ok: error === null && !behind,
      detail: {
        state,
        role: this.held ? 'active' : 'standby',
        checkpoint: checkpoint.toString(),
        head: head.toString(),
        lagMs,
        maxLagMs: this.settings.maxLagMs,
        caughtUp: this.caughtUp,
        ...(error ? { error } : {}),
      },
    };
  }

  private later(): void {
    clearTimeout(this.timer);
    if (this.running) this.timer = setTimeout(() => void this.campaign(), this.settings.retryMs);
  }

  private async campaign(): Promise<void> {
    if (!this.running) return;
    if (!this.held) {
      let held: HeldProjectionLock | null;
      try {
        held = await this.lock.tryAcquire(WEBHOOK_FEED);
      } catch (error) {
        this.lastError = `webhook feed lock unavailable: ${(error as Error).message}`;
        this.logger.warn(this.lastError);
        return this.later();
      }
      if (!held) {
        // The holder's problems are its own: a healthy standby is not failing.
        this.lastError = null;
        return this.later();
      }
      if (!this.running) return void (await held.release());
      this.held = held;
      void held.lost.then((error) => this.lockLost(held, error));
    }
    try {
      await this.subscribe();
    } catch (error) {
      this.failed(error as Error);
    }
  }

  private async lockLost(held: HeldProjectionLock, error: Error): Promise<void> {
    if (this.held !== held) return;
    this.held = null;
    this.logger.warn(`webhook feed lock lost (${error.message}); standing by`);
    this.caughtUp = false;
    await this.closeFeed();
    this.later();
  }

  private async subscribe(): Promise<void> {
    if (!this.running || !this.held || this.feed) return;
    const head = await this.events.headPosition();
    let position = await this.store.checkpoint();
    if (position === null) {
      position = await this.store.initialise(head);
    } else if (position > head) {
      // A checkpoint from another event store: its positions mean nothing here.
      this.logger.warn('webhook checkpoint is beyond the event store head; continuing from the head');
      await this.store.rewind(head);
      position = head;
    }
    if (!this.running || !this.held || this.feed) return;
    const feed: BatchingFeed = new BatchingFeed(
      (events) => this.enqueue(events),
      (error) => this.feedFailed(feed, error),
      500,
    );
    this.feed = feed;
    this.caughtUp = false;
    feed.subscription = this.events.subscribe(
      { after: position, streamPrefix: MAIL_CONFIG_STREAM_PREFIX },
      {
        onEvent: (event) => feed.push(event),
        onCaughtUp: () => {
          if (this.feed !== feed) return;
          this.caughtUp = true;
          // With a batch still to commit, its outcome (enqueue or feedFailed) says whether the failure is over.
          if (!feed.busy) this.lastError = null;
        },
        onError: (error) => this.feedFailed(feed, error),
      },
    );
  }

  private async enqueue(events: StoredEvent[]): Promise<void> {
    const erased = new Set(events.filter((e) => e.type === 'MailConfigErased').map((e) => tenantOf(e.streamId)));
    const deliveries = events
      .map(webhookDeliveryFor)
      .filter((d) => d !== null)
      .filter((d) => !erased.has(d.tenantId));
    const queued = await this.store.enqueue(deliveries, events[events.length - 1].position, [...erased]);
    this.lastError = null;
    if (queued > 0) this.onQueued();
  }

  private async closeFeed(): Promise<void> {
    const feed = this.feed;
    this.feed = null;
    await feed?.close();
  }

  private feedFailed(feed: BatchingFeed, error: Error): void {
    if (this.feed !== feed) return;
    this.feed = null;
    this.caughtUp = false;
    void feed.close().catch(() => undefined);
    if (error instanceof EventDecodeError) void this.poisoned(error);
    else this.failed(error);
  }

  /**
   * An event that cannot be read back (issue 18 item 10): once an operator quarantined it, the feed
   * steps over it as the projections do and goes on for every other tenant; until then it says once
   * which event and how to quarantine it, and asks again at every retry.
   */
  private async poisoned(error: EventDecodeError): Promise<void> {
    const where = `event ${error.streamId} version ${error.version} (position ${error.position})`;
    try {
      if (await this.quarantine.has(error.streamId, error.version)) {
        await this.stepOver(error);
        this.lastError = null;
        this.logger.warn(`webhook feed skipped quarantined ${where}`);
      } else {
        const hint = `events quarantine --stream ${error.streamId} --version ${error.version}`;
        this.lastError = `${error.message}; an operator can set it aside with: ${hint}`;
        if (this.reportedPoison !== error.position) {
          this.reportedPoison = error.position;
          this.logger.error(`webhook feed stopped at ${where}: ${error.reason}; quarantine it with: ${hint}`);
        }
      }
    } catch (failure) {
      this.failed(failure as Error);
      return;
    }
    if (this.running) this.later();
  }

  /** Queues what comes before the poisoned event one event at a time, then moves the checkpoint onto it. */
  private async stepOver(poison: EventDecodeError): Promise<void> {
    let checkpoint = (await this.store.checkpoint()) ?? 0n;
    while (checkpoint < poison.position) {
      let next: StoredEvent[];
      try {
        next = await this.events.readAll({ after: checkpoint, streamPrefix: MAIL_CONFIG_STREAM_PREFIX, maxCount: 1 });
      } catch (error) {
        if (error instanceof EventDecodeError && error.position === poison.position) break;
        throw error;
      }
      if (next.length === 0 || next[0].position >= poison.position) break;
      await this.enqueue(next);
      checkpoint = next[0].position;
    }
    await this.store.enqueue([], poison.position, []);
  }

  private failed(error: Error): void {
    if (!this.running) return;
    this.lastError = error.message;
    this.logger.error(`webhook feed stopped: ${error.message}; retrying in ${this.settings.retryMs} ms`);
    this.later();
  }
}
