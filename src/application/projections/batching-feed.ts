import { type StoredEvent, type Subscription } from '../ports/event-store.port';

/**
 * Between one subscription and the projection store: events delivered while a batch commits
 * wait and go together in the next transaction (group commit), so catching up after a restart
 * or a takeover costs one transaction per batch, not per event. The subscription is held back
 * (its onEvent promise) once `maxBatch` events wait, so memory stays bounded. A failed batch
 * ends the feed: what waited is dropped and the next feed starts again from the checkpoint.
 * Batches start at least `intervalMs` apart, so under load the events of several appends gather
 * into one transaction; after a quiet spell the first events go at the end of the turn.
 */
export class BatchingFeed {
  subscription: Subscription | null = null;
  private pending: StoredEvent[] = [];
  private draining: Promise<void> | null = null;
  private closed = false;
  private lastStart = -Infinity;
  /** Ends the wait before the next batch early (a full batch, or close). */
  private hurry: (() => void) | null = null;

  constructor(
    private readonly applyBatch: (events: StoredEvent[]) => Promise<void>,
    private readonly onFailure: (error: Error) => void,
    private readonly maxBatch: number,
    private readonly intervalMs = 0,
  ) {}

  /** Events wait or a batch is being written: "caught up" from the subscription is not the whole story. */
  get busy(): boolean {
    return this.draining !== null;
  }

  /** The subscription's onEvent. */
  push(event: StoredEvent): Promise<void> | void {
    if (this.closed) return;
    this.pending.push(event);
    this.draining ??= this.drain();
    if (this.pending.length >= this.maxBatch) {
      this.hurry?.();
      return this.draining;
    }
  }

  /** Stops the subscription and waits for the batch being written, if any. */
  async close(): Promise<void> {
    this.closed = true;
    this.pending = [];
    this.hurry?.();
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.close();
    await this.draining;
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.hurry?.(), ms);
      this.hurry = () => {
        clearTimeout(timer);
        this.hurry = null;
        resolve();
      };
    });
  }

  private async drain(): Promise<void> {
    try {
      // The subscription hands a page over one event per microtask: waiting for the end of this
      // turn lets the whole page — every event of one append — go in one transaction, so a row
      // never shows half of what was recorded together.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.pending.length > 0 && !this.closed) {
        const wait = this.lastStart + this.intervalMs - performance.now();
        if (wait > 0 && this.pending.length < this.maxBatch) await this.pause(wait);
        if (this.closed) break;
        this.lastStart = performance.now();
        await this.applyBatch(this.pending.splice(0, this.maxBatch));
      }
    } catch (error) {
      if (!this.closed) {
        this.closed = true;
        this.pending = [];
        this.onFailure(error as Error);
      }
    } finally {
      this.draining = null;
    }
  }
}
