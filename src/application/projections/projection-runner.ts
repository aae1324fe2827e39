import { Inject, Injectable, Logger } from '@nestjs/common';
import { ReadinessResult } from '../health/readiness';
import { MAIL_CONFIG_STREAM_PREFIX } from '../mail-config/streams';
import { Clock, CLOCK } from '../ports/clock.port';
import { EVENT_STORE, EventStore, StoredEvent, Subscription } from '../ports/event-store.port';
import { READ_MODEL_STORE, ReadModelStore, SkippedEventType } from '../ports/read-model.port';
import { ApplyOutcome, applyEvent, ReadModelResetError } from './mail-config.projection';
import { PROJECTION_SETTINGS, ProjectionSettings } from './projection-settings';
import { RebuildProgress, RebuildResult, rebuildReadModels } from './rebuild';

export interface ProjectionStatus {
  running: boolean;
  /** The subscription has delivered all history and is following live events. */
  caughtUp: boolean;
  checkpoint: bigint;
  head: bigint;
  /** How long the oldest event not yet projected has waited (0 when none is waiting). */
  lagMs: number;
  /** metadata.at of the last event applied, and when this process applied it. */
  lastEventAt: string | null;
  lastAppliedAt: string | null;
  /** Outcomes in this process since start. */
  processed: Record<ApplyOutcome, number>;
  /** Event types not understood, over the whole read model (persisted with it). */
  skippedTypes: SkippedEventType[];
  lastError: string | null;
}

/**
 * Feeds the read models from the event store subscription, starting after the stored checkpoint.
 * Each event and the checkpoint commit in one transaction, so a restart resumes exactly where
 * the last commit left off. A failure stops the subscription; the runner reports it and
 * resubscribes from the checkpoint after a pause instead of crashing the service.
 */
@Injectable()
export class ProjectionRunner {
  private readonly logger = new Logger(ProjectionRunner.name);
  private subscription: Subscription | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private running = false;
  private generation = 0;
  private caughtUp = false;
  private lastError: string | null = null;
  private lastEventAt: string | null = null;
  private lastAppliedAt: string | null = null;
  private readonly processed: Record<ApplyOutcome, number> = { applied: 0, skipped: 0, duplicate: 0 };
  private readonly warnedTypes = new Set<string>();
  private noneOfOurs: { from: bigint; to: bigint } | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PROJECTION_SETTINGS) private readonly settings: ProjectionSettings,
  ) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      // A checkpoint beyond the head belongs to another store (DATA_DIR kept, store replaced):
      // its positions mean nothing here, so start over rather than skip this store's events.
      if (this.readModels.checkpoint().position > (await this.events.headPosition())) {
        this.logger.warn('read-model checkpoint is beyond the event store head; rebuilding the read models');
        this.readModels.reset();
      }
    } catch (error) {
      // An unreachable store must not stop the service from starting: report, retry, stay not-ready.
      this.failed(error as Error);
      return;
    }
    if (this.running) this.subscribe(); // unless stopped while the head was being read
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.close();
  }

  /** Empties the read models and replays every event; the live subscription resumes afterwards. */
  async rebuild(onProgress?: (progress: RebuildProgress) => void): Promise<RebuildResult> {
    const wasRunning = this.running;
    await this.stop();
    const result = await rebuildReadModels(this.events, this.readModels, onProgress);
    if (wasRunning) await this.start();
    return result;
  }

  async status(): Promise<ProjectionStatus> {
    const checkpoint = this.readModels.checkpoint().position;
    const head = await this.events.headPosition();
    const [oldestPending] = await this.events.readAll({
      after: this.scanFrom(checkpoint),
      streamPrefix: MAIL_CONFIG_STREAM_PREFIX,
      maxCount: 1,
    });
    // Nothing of ours up to `head` (read before the scan): the next probe need not read that range again.
    if (!oldestPending && head > checkpoint) this.noneOfOurs = { from: checkpoint, to: head };
    const pendingSince = oldestPending ? Date.parse(oldestPending.metadata.at) : NaN;
    return {
      running: this.running,
      caughtUp: this.caughtUp,
      checkpoint,
      head,
      lagMs: Number.isNaN(pendingSince) ? 0 : Math.max(0, this.clock.now().getTime() - pendingSince),
      lastEventAt: this.lastEventAt,
      lastAppliedAt: this.lastAppliedAt,
      processed: { ...this.processed },
      skippedTypes: this.readModels.skipped(),
      lastError: this.lastError,
    };
  }

  /**
   * Other streams (OAuth state) share the store, and the checkpoint only moves on our events, so
   * "the next event after the checkpoint" could mean reading past many foreign ones on every probe.
   * A range already found to hold none of ours is skipped while the checkpoint is still inside it.
   */
  private scanFrom(checkpoint: bigint): bigint {
    const known = this.noneOfOurs;
    return known && checkpoint >= known.from && checkpoint < known.to ? known.to : checkpoint;
  }

  /** For /health/ready: not ready while stopped, failing, or further behind than the threshold. */
  async readiness(): Promise<ReadinessResult> {
    const s = await this.status();
    const ok = s.running && s.lastError === null && s.lagMs <= this.settings.maxLagMs;
    return {
      ok,
      detail: {
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

  private subscribe(): void {
    try {
      this.openSubscription();
    } catch (error) {
      this.failed(error as Error);
    }
  }

  private openSubscription(): void {
    const { position, generation } = this.readModels.checkpoint();
    this.generation = generation;
    this.caughtUp = false;
    this.subscription = this.events.subscribe(
      { after: position, streamPrefix: MAIL_CONFIG_STREAM_PREFIX },
      {
        onEvent: (event) => this.apply(event),
        onCaughtUp: () => {
          this.caughtUp = true;
          this.lastError = null;
        },
        onError: (error) => this.failed(error),
      },
    );
  }

  private apply(event: StoredEvent): void {
    const outcome = this.readModels.transaction((tx) => applyEvent(tx, event, this.generation));
    this.processed[outcome] += 1;
    this.lastEventAt = event.metadata.at;
    this.lastAppliedAt = this.clock.now().toISOString();
    this.lastError = null;
    if (outcome === 'skipped' && !this.warnedTypes.has(event.type)) {
      this.warnedTypes.add(event.type);
      this.logger.warn(`skipping events of unknown type "${event.type}" (first at position ${event.position})`);
    }
  }

  private failed(error: Error): void {
    this.subscription = null;
    if (!this.running) return;
    if (error instanceof ReadModelResetError) {
      this.logger.log('read models were rebuilt elsewhere; resubscribing from the new checkpoint');
      this.subscribe();
      return;
    }
    this.lastError = error.message;
    this.logger.error(`projection stopped: ${error.message}; retrying in ${this.settings.retryMs} ms`);
    this.retryTimer = setTimeout(() => {
      if (this.running && this.subscription === null) this.subscribe();
    }, this.settings.retryMs);
  }
}
