import { EventEmitter } from 'node:events';
import {
  type AppendResult,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '../../application/ports/event-store.port';
import { assertExpectedVersion, storedRetryOf } from './expected-version';
import { pollingSubscription } from './polling-subscription';

/** For tests and benchmarks: the same contract as the durable stores, kept in memory. */
export class InMemoryEventStore implements EventStore {
  private readonly all: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly wake = new EventEmitter().setMaxListeners(0);

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const from = options.fromVersion ?? 1;
    const events = (this.streams.get(streamId) ?? []).slice(from - 1);
    return structuredClone(options.maxCount === undefined ? events : events.slice(0, options.maxCount));
  }

  async appendToStream(
    streamId: string,
    events: NewEvent[],
    { expectedVersion }: { expectedVersion: ExpectedVersion },
  ): Promise<AppendResult> {
    const existing = this.streams.get(streamId);
    const current = existing ? existing.length : null;
    const retried = storedRetryOf(streamId, expectedVersion, events, current, {
      idsFrom: (from, n) => (existing ?? []).slice(from - 1, from - 1 + n).map((e) => e.eventId),
      versionOf: (id) => existing?.find((e) => e.eventId === id)?.version ?? null,
    });
    if (retried !== null) {
      const last = existing![retried - 1];
      return { nextExpectedVersion: last.version, position: last.position };
    }
    assertExpectedVersion(streamId, expectedVersion, current);
    const stream = existing ?? [];
    for (const event of events) {
      const stored: StoredEvent = {
        ...structuredClone(event),
        streamId,
        version: stream.length + 1,
        position: BigInt(this.all.length + 1),
      };
      stream.push(stored);
      this.all.push(stored);
    }
    this.streams.set(streamId, stream);
    this.wake.emit('append');
    const last = stream[stream.length - 1];
    return { nextExpectedVersion: last.version, position: last.position };
  }

  /**
   * Kept: the embedded store holds every stream for good (a few hundred bytes per OAuth state or
   * settings link); only EventStoreDB deployments, which grow without a bound, need the age limit.
   */
  async setStreamMaxAge(streamId: string, maxAgeSeconds: number): Promise<void> {
    if (!streamId || !(maxAgeSeconds > 0)) throw new Error('a stream id and a positive age are required');
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const start = options.after === undefined ? 0 : Number(options.after);
    const out: StoredEvent[] = [];
    for (let i = start; i < this.all.length; i++) {
      const event = this.all[i];
      if (options.streamPrefix && !event.streamId.startsWith(options.streamPrefix)) continue;
      out.push(structuredClone(event));
      if (options.maxCount !== undefined && out.length >= options.maxCount) break;
    }
    return out;
  }

  async readAllOfTypes(types: readonly string[], options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const start = options.after === undefined ? 0 : Number(options.after);
    const out: StoredEvent[] = [];
    for (let i = start; i < this.all.length; i++) {
      const event = this.all[i];
      if (!types.includes(event.type)) continue;
      if (options.streamPrefix && !event.streamId.startsWith(options.streamPrefix)) continue;
      out.push(structuredClone(event));
      if (options.maxCount !== undefined && out.length >= options.maxCount) break;
    }
    return out;
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    return pollingSubscription((o) => this.readAll(o), this.wake, options, handler);
  }

  async headPosition(): Promise<bigint> {
    return BigInt(this.all.length);
  }

  async close(): Promise<void> {
    this.wake.removeAllListeners();
  }
}
