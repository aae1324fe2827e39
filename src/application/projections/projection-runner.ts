import { Inject, Injectable, Logger } from '@nestjs/common';
import { ReadinessResult } from '../health/readiness';
import { MAIL_CONFIG_STREAM_PREFIX } from '../mail-config/streams';
import { PendingLag } from './pending-lag';
import { Clock, CLOCK } from '../ports/clock.port';
import { EVENT_STORE, EventDecodeError, EventStore, StoredEvent } from '../ports/event-store.port';
import { HeldProjectionLock, PROJECTION_LOCK, ProjectionLock } from '../ports/projection-lock.port';
import { PROJECTION_STORE, ProjectionStore } from '../ports/projection-store.port';
import { BatchingFeed } from './batching-feed';
import { EventQuarantine } from './event-quarantine';
import { ApplyOutcome, applyEvents, ReadModelResetError } from './mail-config.projection';
import { DEFAULT_PROJECTION_SETTINGS, PROJECTION_SETTINGS, ProjectionSettings } from './projection-settings';
import { ProjectionService, type ProjectionStatus } from './projection-service';
import { RebuildProgress, RebuildResult, rebuildReadModels } from './rebuild';

/** The projection's name for its lock (one projection feeds the dashboard rows and the audit index). */
export const MAIL_CONFIG_PROJECTION = 'mail-config';

export type { ProjectionStatus } from './projection-service';

/**
 * Feeds the read models from the event store subscription, starting after the stored checkpoint.
 * Each batch and the checkpoint commit in one transaction, so a restart — or another instance
 * taking over — resumes exactly where the last commit left off. Only the holder of the projection
 * lock projects; the others stand by and ask again every `standbyRetryMs`. A failure stops the
 * subscription; the runner reports it and resubscribes from the checkpoint after a pause instead
 * of crashing the service.
 */
@Injectable()
export class ProjectionRunner implements ProjectionService {
  private readonly logger = new Logger(ProjectionRunner.name);
  private feed: BatchingFeed | null = null;
  private held: HeldProjectionLock | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private standbyTimer: NodeJS.Timeout | undefined;
  private running = false;
  /** Another instance held the lock at some point: taking over is worth a log line. */
  private stoodBy = false;
  private caughtUp = false;
  private lastError: string | null = null;
  private lastEventAt: string | null = null;
  private lastAppliedAt: string | null = null;
  private readonly processed: Record<ApplyOutcome, number> = { applied: 0, skipped: 0, duplicate: 0 };
  private readonly warnedTypes = new Set<string>();
  private readonly pendingLag: PendingLag;
  /** The event the projection is stuck at (not quarantined yet), and how often it was retried. */
  private poison: { key: string; retries: number } | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(PROJECTION_STORE) private readonly readModels: ProjectionStore,
    @Inject(PROJECTION_LOCK) private readonly lock: ProjectionLock,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PROJECTION_SETTINGS) private readonly settings: ProjectionSettings,
    private readonly quarantine: EventQuarantine,
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
    clearTimeout(this.retryTimer);
    clearTimeout(this.standbyTimer);
    await this.closeFeed();
    const held = this.held;
    this.held = null;
    await held?.release();
  }

  /** Empties the read models and replays every event; the live subscription resumes afterwards. */
  async rebuild(onProgress?: (progress: RebuildProgress) => void): Promise<RebuildResult> {
    const wasRunning = this.running;
    await this.stop();
    const result = await rebuildReadModels(
      this.events,
      this.readModels,
      onProgress,
      undefined,
      new Set((await this.quarantine.list()).map((q) => `${q.streamId}@${q.version}`)),
    );
    if (wasRunning) await this.start();
    return result;
  }

  async status(): Promise<ProjectionStatus> {
    const checkpoint = (await this.readModels.checkpoint()).position;
    const head = await this.events.headPosition();
    // An event that cannot be read counts as no lag here: lastError says which, and what to do.
    const lagMs = (await this.pendingLag.at(checkpoint, head, this.clock.now())) ?? 0;
    return {
      running: this.running,
      role: this.held ? 'active' : 'standby',
      caughtUp: this.caughtUp,
      checkpoint,
      head,
      lagMs,
      lastEventAt: this.lastEventAt,
      lastAppliedAt: this.lastAppliedAt,
      processed: { ...this.processed },
      skippedTypes: await this.readModels.skipped(),
      lastError: this.lastError,
    };
  }

  /**
   * For /health/ready: not ready while stopped, failing, or further behind than the threshold.
   * A standby answers too: its lag is measured against the shared checkpoint.
   */
  async readiness(): Promise<ReadinessResult> {
    const s = await this.status();
    const ok = s.running && s.lastError === null && s.lagMs <= this.settings.maxLagMs;
    return {
      ok,
      detail: {
        role: s.role,
        checkpoint: s.checkpoint.toString(),
        head: s.head.toString(),
        lagMs: s.lagMs,
        maxLagMs: this.settings.maxLagMs,
        caughtUp: s.caughtUp,
        skippedEventTypes: Object.fromEntries(s.skippedTypes.map((t) => [t.type, t.count])),
        ...(s.running ? {} : { error: 'projections are not running' }),
        ...(s.lastError ? { error: s.lastError } : {}),
      },
    };
  }

  /** One attempt at the lock; a standby tries again every standbyRetryMs. */
  private async campaign(): Promise<void> {
    if (!this.running || this.held) return;
    let held: HeldProjectionLock | null;
    try {
      held = await this.lock.tryAcquire(MAIL_CONFIG_PROJECTION);
    } catch (error) {
      this.lastError = (error as Error).message;
      this.standBy();
      return;
    }
    if (!this.running) {
      await held?.release();
      return;
    }
    if (!held) {
      // The holder's problems are its own: a healthy standby is not failing.
      this.lastError = null;
      this.stoodBy = true;
      this.standBy();
      return;
    }
    if (this.stoodBy) this.logger.log('projection lock acquired: this instance projects now');
    this.held = held;
    void held.lost.then((error) => this.lockLost(held, error));
    await this.activate();
  }

  private standBy(): void {
    clearTimeout(this.standbyTimer);
    if (this.running) this.standbyTimer = setTimeout(() => void this.campaign(), this.settings.standbyRetryMs);
  }

  private async lockLost(held: HeldProjectionLock, error: Error): Promise<void> {
    if (this.held !== held) return;
    this.held = null;
    this.logger.warn(`projection lock lost (${error.message}); standing by`);
    this.stoodBy = true;
    clearTimeout(this.retryTimer);
    await this.closeFeed();
    this.caughtUp = false;
    this.standBy();
  }

  private async activate(): Promise<void> {
    try {
      // A checkpoint beyond the head belongs to another store (read models kept, store replaced):
      // its positions mean nothing here, so start over rather than skip this store's events.
      if ((await this.readModels.checkpoint()).position > (await this.events.headPosition())) {
        this.logger.warn('read-model checkpoint is beyond the event store head; rebuilding the read models');
        await this.readModels.reset();
      }
    } catch (error) {
      // An unreachable store must not stop the service from starting: report, retry, stay not-ready.
      this.failed(error as Error);
      return;
    }
    await this.subscribe();
  }

  private async subscribe(): Promise<void> {
    if (!this.running || !this.held || this.feed) return;
    try {
      await this.openSubscription();
    } catch (error) {
      this.failed(error as Error);
    }
  }

  private async openSubscription(): Promise<void> {
    const { position, generation } = await this.readModels.checkpoint();
    if (!this.running || !this.held || this.feed) return;
    const feed: BatchingFeed = new BatchingFeed(
      (events) => this.apply(events, generation),
      (error) => this.feedFailed(feed, error),
      this.settings.batchSize,
      this.settings.batchIntervalMs ?? DEFAULT_PROJECTION_SETTINGS.batchIntervalMs,
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
          this.lastError = null;
        },
        onError: (error) => this.feedFailed(feed, error),
      },
    );
  }

  private async apply(events: StoredEvent[], generation: number): Promise<void> {
    const outcomes = await applyEvents(this.readModels, events, generation);
    outcomes.forEach((outcome, i) => {
      this.processed[outcome] += 1;
      const event = events[i];
      if (outcome === 'skipped' && !this.warnedTypes.has(event.type)) {
        this.warnedTypes.add(event.type);
        this.logger.warn(`skipping events of unknown type "${event.type}" (first at position ${event.position})`);
      }
    });
    this.lastEventAt = events[events.length - 1].metadata.at;
    this.lastAppliedAt = this.clock.now().toISOString();
    this.lastError = null;
  }

  private async closeFeed(): Promise<void> {
    const feed = this.feed;
    this.feed = null;
    await feed?.close();
  }

  private feedFailed(feed: BatchingFeed, error: Error): void {
    if (this.feed !== feed) return;
    this.feed = null;
    void feed.close().catch(() => undefined);
    this.failed(error);
  }

  private failed(error: Error): void {
    if (!this.running || !this.held) return;
    if (error instanceof ReadModelResetError) {
      this.logger.log('read models were rebuilt elsewhere; resubscribing from the new checkpoint');
      void this.subscribe();
      return;
    }
    if (error instanceof EventDecodeError) {
      void this.poisoned(error);
      return;
    }
    this.lastError = error.message;
    this.logger.error(`projection stopped: ${error.message}; retrying in ${this.settings.retryMs} ms`);
    this.retryIn(this.settings.retryMs);
  }

  private retryIn(ms: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.subscribe(), ms);
  }

  /**
   * An event that cannot be read back. Quarantined: the projection steps over it (one log line)
   * and goes on. Not yet: it says which event and how to quarantine it, once, and asks again
   * with a growing pause (up to a minute) instead of every second for ever.
   */
  private async poisoned(error: EventDecodeError): Promise<void> {
    const where = `event ${error.streamId} version ${error.version} (position ${error.position})`;
    try {
      if (await this.quarantine.has(error.streamId, error.version)) {
        await this.stepOver(error);
        this.logger.warn(`projection skipped quarantined ${where}`);
        this.poison = null;
        this.lastError = null;
        void this.subscribe();
        return;
      }
    } catch (failure) {
      if (failure instanceof ReadModelResetError) return this.failed(failure);
      if (!(failure instanceof EventDecodeError)) {
        this.lastError = (failure as Error).message;
        this.logger.error(`projection stopped: ${(failure as Error).message}; retrying in ${this.settings.retryMs} ms`);
        return this.retryIn(this.settings.retryMs);
      }
    }
    const key = `${error.streamId}@${error.version}`;
    const retries = this.poison?.key === key ? this.poison.retries + 1 : 0;
    this.poison = { key, retries };
    const delay = Math.min(this.settings.retryMs * 2 ** Math.min(retries, 16), MAX_POISON_RETRY_MS);
    const hint = `events quarantine --stream ${error.streamId} --version ${error.version}`;
    this.lastError = `${error.message}; an operator can set it aside with: ${hint}`;
    if (retries === 0)
      this.logger.error(`projection stopped at ${where}: ${error.reason}; quarantine it with: ${hint}`);
    this.retryIn(delay);
  }

  /**
   * Applies what comes before the quarantined event one event at a time (a page would fail on
   * it), then moves the checkpoint onto it without applying it.
   */
  private async stepOver(poison: EventDecodeError): Promise<void> {
    const { position, generation } = await this.readModels.checkpoint();
    let checkpoint = position;
    while (checkpoint < poison.position) {
      let next: StoredEvent[];
      try {
        next = await this.events.readAll({ after: checkpoint, streamPrefix: MAIL_CONFIG_STREAM_PREFIX, maxCount: 1 });
      } catch (error) {
        if (error instanceof EventDecodeError && error.position === poison.position) break;
        throw error;
      }
      if (next.length === 0 || next[0].position >= poison.position) break;
      await this.apply(next, generation);
      checkpoint = next[0].position;
    }
    await this.readModels.apply([], (view) => {
      if (view.checkpoint.generation !== generation) throw new ReadModelResetError();
      const behind = view.checkpoint.position < poison.position;
      return {
        changes: behind ? { tenants: [], audit: [], skipped: [], position: poison.position } : null,
        result: undefined,
      };
    });
  }
}

/** The longest pause between two attempts at an event that cannot be read (and is not quarantined). */
const MAX_POISON_RETRY_MS = 60_000;
