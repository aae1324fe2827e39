/**
 * The event store as the application sees it. Every adapter (in-memory, SQLite, EventStoreDB)
 * numbers versions the same way, raises the same errors and passes the same contract suite
 * (test/contract/event-store.contract.ts).
 */
export const EVENT_STORE = Symbol('EVENT_STORE');

/**
 * `version` is a stream revision counted from 1 (the first event of a stream has version 1).
 * A number as expected version means "the stream's last event has this version".
 */
export type ExpectedVersion = 'any' | 'no_stream' | 'exists' | number;

export interface EventMetadata {
  actor: string;
  correlationId: string;
  causationId?: string;
  /** What noticed the fact, on events the service records on its own (actor `system`). */
  detectedBy?: string;
  /** The authenticated caller (token kind or JWT subject) beside the caller-chosen actor; absent for jobs. */
  authenticatedAs?: string;
  /** ISO 8601 UTC time of the decision. */
  at: string;
  /** Version of the event's data schema; absent means 1. Upcasters read it. */
  schemaVersion?: number;
}

export interface NewEvent {
  /** Generated once per command, so a retried append re-sends the same ids. */
  eventId: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

export interface StoredEvent extends NewEvent {
  streamId: string;
  version: number;
  /** Global position in the store ("$all"); strictly increasing in commit order. */
  position: bigint;
}

export interface AppendResult {
  /** Version of the stream's last event after the append. */
  nextExpectedVersion: number;
  /** Global position of the last appended event. */
  position: bigint;
}

export interface ReadStreamOptions {
  /** First version to return (inclusive); default 1. */
  fromVersion?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Return events strictly after this position; absent means from the start. */
  after?: bigint;
  streamPrefix?: string;
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Deliver events strictly after this position; absent means from the start. */
  after?: bigint;
  streamPrefix?: string;
}

export interface SubscriptionHandler {
  /** Called once per event, in position order; the next event waits for the returned promise. */
  onEvent(event: StoredEvent): void | Promise<void>;
  /** Called when history is delivered and live events begin (may be called again after a reconnect). */
  onCaughtUp?(): void;
  /** The subscription stopped on an error; it will not deliver further events. */
  onError?(error: Error): void;
}

export interface Subscription {
  close(): Promise<void>;
}

export interface EventStore {
  /** Events of one stream in version order; an empty array when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  appendToStream(
    streamId: string,
    events: NewEvent[],
    options: { expectedVersion: ExpectedVersion },
  ): Promise<AppendResult>;
  /**
   * Asks the store to drop the stream's events once they are older than `maxAgeSeconds`
   * (EventStoreDB: the `$maxAge` stream metadata, applied by reads and scavenges). Neither events
   * nor versions change; a store that keeps everything (SQLite, in-memory) may ignore it.
   */
  setStreamMaxAge(streamId: string, maxAgeSeconds: number): Promise<void>;
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /**
   * readAll of only the events whose type is one of `types` (`maxCount` counts those), for a
   * store that filters by type without decoding the others (SQLite, in-memory). Optional: a
   * caller falls back to readAll and filters itself where a store has no such read.
   */
  readAllOfTypes?(types: readonly string[], options?: ReadAllOptions): Promise<StoredEvent[]>;
  /** History from `after`, then live events, in position order. */
  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription;
  /** Position of the last event in the store (0n when empty); used for lag and readiness. */
  headPosition(): Promise<bigint>;
  /**
   * What an integrity check of the store's own files found when it was opened (SQLite:
   * `PRAGMA quick_check`), or null. A store without files of its own need not implement it.
   */
  integrityProblem?(): string | null;
  close(): Promise<void>;
}

/**
 * A stored event that cannot be read back (its data or metadata is not the JSON object it was
 * written as): names the event, so an operator can find it and quarantine it.
 */
export class EventDecodeError extends Error {
  constructor(
    readonly streamId: string,
    readonly version: number,
    readonly position: bigint,
    readonly reason: string,
  ) {
    super(`event ${streamId} version ${version} (position ${position}) cannot be decoded: ${reason}`);
    this.name = 'EventDecodeError';
  }
}

export class ConcurrencyError extends Error {
  readonly code = 'CONCURRENT_CHANGE';

  constructor(
    readonly streamId: string,
    readonly expectedVersion: ExpectedVersion,
    readonly actualVersion: number | null,
  ) {
    super(
      `Wrong expected version on ${streamId}: expected ${String(expectedVersion)}, actual ${
        actualVersion === null ? 'no stream' : actualVersion
      }`,
    );
    this.name = 'ConcurrencyError';
  }
}

/** The store cannot be reached right now; the operation may succeed later. */
export class EventStoreUnavailableError extends Error {
  // Not the gRPC status name (UNAVAILABLE): answers must not echo the driver's vocabulary.
  readonly code = 'EVENT_STORE_UNREACHABLE';

  constructor(
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'EventStoreUnavailableError';
  }
}
