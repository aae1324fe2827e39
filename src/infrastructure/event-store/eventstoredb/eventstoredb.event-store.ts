import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  type ReadPosition,
  type ResolvedEvent,
  START,
  StreamNotFoundError,
  type StreamingRead,
} from '@eventstore/db-client';
import {
  type AppendResult,
  ConcurrencyError,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '../../../application/ports/event-store.port';
import { versionMatches } from '../expected-version';
import { translateError, withDeadline } from './eventstoredb-errors';
import { fromPosition, isSystemEvent, toEventData, toExpectedRevision, toStoredEvent } from './eventstoredb-mapping';
import { subscribeToAll } from './eventstoredb-subscription';

export interface EventStoreDbOptions {
  /** How long one operation may take before it fails with EventStoreUnavailableError. Default 10 s. */
  deadlineMs?: number;
  /** Events per page when scanning $all. Default 500. */
  pageSize?: number;
}

/**
 * The event store port over EventStoreDB (gRPC client 6.2.1). The client reconnects by itself
 * on the call after a connection failure, so an outage surfaces as EventStoreUnavailableError
 * and the store works again once the server is back, without restarting anything.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly deadlineMs: number;
  private readonly pageSize: number;
  private readonly subscriptions = new Set<Subscription>();

  /** e.g. "esdb://localhost:2113?tls=false"; parsing errors throw here, at startup. */
  constructor(connectionString: string, options: EventStoreDbOptions = {}) {
    this.client = EventStoreDBClient.connectionString(connectionString);
    this.deadlineMs = options.deadlineMs ?? 10_000;
    this.pageSize = Math.max(2, options.pageSize ?? 500);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    if (options.maxCount !== undefined && options.maxCount <= 0) return [];
    const fromRevision = BigInt(Math.max(1, options.fromVersion ?? 1) - 1);
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    try {
      const read = await this.collect(
        this.client.readStream(streamId, { fromRevision, maxCount }),
        `a read of ${streamId}`,
      );
      return read.flatMap(({ event, commitPosition }) => (event ? [toStoredEvent(event, commitPosition)] : []));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw translateError(error);
    }
  }

  async appendToStream(
    streamId: string,
    events: NewEvent[],
    { expectedVersion }: { expectedVersion: ExpectedVersion },
  ): Promise<AppendResult> {
    try {
      if (events.length === 0) return await this.checkVersionOnly(streamId, expectedVersion);
      const appending = this.client.appendToStream(streamId, events.map(toEventData), {
        expectedRevision: toExpectedRevision(expectedVersion),
        deadline: this.deadlineMs,
      });
      // A timed-out append may still land; the caller's retry re-sends the same event ids.
      const result = await withDeadline(this.deadlineMs, `an append to ${streamId}`, appending);
      const version = Number(result.nextExpectedRevision) + 1;
      const position = result.position?.commit ?? (await this.positionOf(streamId, version));
      return { nextExpectedVersion: version, position };
    } catch (error) {
      throw translateError(error, { streamId, expectedVersion });
    }
  }

  async setStreamMaxAge(streamId: string, maxAgeSeconds: number): Promise<void> {
    try {
      await withDeadline(
        this.deadlineMs,
        `a metadata write to ${streamId}`,
        this.client.setStreamMetadata(streamId, { maxAge: maxAgeSeconds }, { deadline: this.deadlineMs }),
      );
    } catch (error) {
      throw translateError(error, { streamId, expectedVersion: 'any' });
    }
  }

  /**
   * The client 6.2.1 cannot filter reads of $all on the server (only subscriptions), so pages
   * are filtered here. Reading from a position includes the event at it, hence the cursor.
   */
  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const { streamPrefix, maxCount } = options;
    if (maxCount !== undefined && maxCount <= 0) return [];
    const out: StoredEvent[] = [];
    let cursor = options.after;
    // Small asks (e.g. "the next pending event" on every readiness probe) start with a small page.
    let size = maxCount === undefined ? this.pageSize : Math.min(this.pageSize, maxCount + 1);
    try {
      for (;;) {
        const from: ReadPosition = cursor === undefined ? START : fromPosition(cursor);
        const page = await this.collect(this.client.readAll({ fromPosition: from, maxCount: size }), 'a read of $all');
        for (const { event, commitPosition } of page) {
          if (!event) continue;
          const stored = toStoredEvent(event, commitPosition);
          if (cursor !== undefined && stored.position <= cursor) continue;
          cursor = stored.position;
          if (isSystemEvent(event) || (streamPrefix && !stored.streamId.startsWith(streamPrefix))) continue;
          out.push(stored);
          if (maxCount !== undefined && out.length >= maxCount) return out;
        }
        if (page.length < size) return out;
        size = this.pageSize;
      }
    } catch (error) {
      throw translateError(error);
    }
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    const inner = subscribeToAll(this.client, options, handler);
    const subscription: Subscription = {
      close: async () => {
        this.subscriptions.delete(subscription);
        await inner.close();
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** The last event that is ours, not the server's: $all also carries system records. */
  async headPosition(): Promise<bigint> {
    const page = 32;
    let from: ReadPosition = END;
    try {
      for (;;) {
        const backwards = this.client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: page });
        const read = await this.collect(backwards, 'a read of $all');
        const mine = read.find(({ event }) => event && !isSystemEvent(event));
        if (mine) return toStoredEvent(mine.event!, mine.commitPosition).position;
        const last = read[read.length - 1]?.event;
        if (read.length < page || !last) return 0n;
        from = fromPosition(toStoredEvent(last).position); // backwards from a position excludes it
      }
    } catch (error) {
      throw translateError(error);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  /** Some server versions answer a re-sent (idempotent) write without a position. */
  private async positionOf(streamId: string, version: number): Promise<bigint> {
    const [event] = await this.readStream(streamId, { fromVersion: version, maxCount: 1 });
    if (!event) throw new Error(`${streamId} has no version ${version} right after appending it`);
    return event.position;
  }

  private async checkVersionOnly(streamId: string, expected: ExpectedVersion): Promise<AppendResult> {
    const read = await this.collect(
      this.client.readStream(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: 1 }),
      `a read of ${streamId}`,
    ).catch((error) => (error instanceof StreamNotFoundError ? [] : Promise.reject(error)));
    const last = read[0]?.event ? toStoredEvent(read[0].event, read[0].commitPosition) : null;
    if (!versionMatches(expected, last?.version ?? null))
      throw new ConcurrencyError(streamId, expected, last?.version ?? null);
    return { nextExpectedVersion: last?.version ?? 0, position: last?.position ?? 0n };
  }

  /** The client streams reads without a deadline, so one is enforced here. */
  private collect<E extends ResolvedEvent>(read: StreamingRead<E>, what: string): Promise<E[]> {
    read.on('error', () => undefined); // see subscribeToAll: a late error must not crash the process
    const all = (async () => {
      const out: E[] = [];
      for await (const item of read) out.push(item);
      return out;
    })();
    return withDeadline(this.deadlineMs, what, all, () => {
      void read.cancel().catch(() => undefined);
      read.destroy();
    });
  }
}
