import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

/**
 * The transaction log of the test EventStoreDB: one ordered list of records ($all) plus a
 * per-stream index. It outlives the gRPC server so a test can stop and restart the server
 * and find its data again, like a real node restarting on the same database.
 */

export interface LogRecord {
  stream: string;
  /** 0-based stream revision; a tombstone has the maximum signed 64-bit revision, as in ESDB. */
  revision: bigint;
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
  /** .NET ticks (100 ns) since the Unix epoch, which is what the server puts in "created". */
  created: bigint;
  /** Log position; ESDB writes every gRPC-appended event as its own committed record, so commit = prepare. */
  position: bigint;
}

export type Expected = 'any' | 'no_stream' | 'exists' | bigint;

export interface ProposedEvent {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
}

export type AppendOutcome =
  | { kind: 'success'; revision: bigint | null; position: bigint | null }
  | { kind: 'wrong-expected-version'; current: bigint | null }
  | { kind: 'stream-deleted' };

export const TOMBSTONE_REVISION = 0x7fffffffffffffffn;
const NO_STREAM = -1n;

interface StreamState {
  records: LogRecord[];
  tombstoned: boolean;
  /**
   * Soft delete ($tb in the stream metadata): revisions below this are hidden from stream reads.
   * While deleted it is the maximum revision, as on a real node; the next append lowers it.
   */
  truncateBefore: bigint;
}

export class EsdbLog {
  readonly all: LogRecord[] = [];
  /** Emits 'append' after every write so live subscriptions wake up. */
  readonly changes = new EventEmitter().setMaxListeners(0);
  private readonly streams = new Map<string, StreamState>();
  /**
   * The last record written with each event id, for retries with expected version any/exists:
   * a real node looks them up in a cache of committed event ids rather than scanning the stream.
   */
  private readonly byEventId = new Map<string, LogRecord>();
  private nextPosition = 0n;

  constructor(seedSystemEvents = true) {
    // A real node's $all never starts empty: it holds system records before any user event,
    // and adapters must cope with them.
    if (seedSystemEvents) {
      const system = (type: string, value: unknown): ProposedEvent[] => [
        {
          id: randomUUID(),
          type,
          contentType: 'application/json',
          data: new TextEncoder().encode(JSON.stringify(value)),
          metadata: new Uint8Array(),
        },
      ];
      this.append('$settings', 'any', system('$settings', {}));
      this.append('$users', 'any', system('$User', { loginName: 'admin' }));
    }
  }

  stream(name: string): { records: LogRecord[]; tombstoned: boolean; visible: LogRecord[] } | null {
    const s = this.streams.get(name);
    if (!s) return null;
    return {
      records: s.records,
      tombstoned: s.tombstoned,
      visible: s.records.filter((r) => r.revision >= s.truncateBefore),
    };
  }

  /** Last revision of the stream (soft-deleted events still count, as in ESDB), or null. */
  currentRevision(name: string): bigint | null {
    const records = this.streams.get(name)?.records ?? [];
    return records.length ? records[records.length - 1].revision : null;
  }

  append(stream: string, expected: Expected, events: ProposedEvent[]): AppendOutcome {
    const state = this.streams.get(stream);
    if (state?.tombstoned) return { kind: 'stream-deleted' };
    const current = this.currentRevision(stream);
    const softDeleted = state?.truncateBefore === TOMBSTONE_REVISION;
    const retry = this.idempotentResult(stream, state?.records ?? [], expected, events);
    if (retry === 'conflict') return { kind: 'wrong-expected-version', current };
    if (retry) return { kind: 'success', revision: retry.revision, position: retry.position };
    if (!this.holds(stream, expected)) return { kind: 'wrong-expected-version', current };
    if (events.length === 0) return { kind: 'success', revision: current, position: null };
    let revision = current ?? NO_STREAM;
    let last: LogRecord | undefined;
    for (const event of events) last = this.write(stream, ++revision, event);
    // Appending to a soft-deleted stream recreates it: the node rewrites $tb to the first new revision.
    if (softDeleted) this.truncate(stream, (current ?? NO_STREAM) + 1n);
    return { kind: 'success', revision, position: last!.position };
  }

  /**
   * Soft delete: ESDB records it as stream metadata ($tb) written to "$$<stream>". A stream that
   * has neither events nor metadata cannot be deleted: the node answers wrong expected version.
   */
  softDelete(stream: string, expected: Expected): AppendOutcome {
    const state = this.streams.get(stream);
    if (state?.tombstoned) return { kind: 'stream-deleted' };
    const current = this.currentRevision(stream);
    if (!this.holds(stream, expected)) return { kind: 'wrong-expected-version', current };
    if (current === null && this.currentRevision(`$$${stream}`) === null) {
      return { kind: 'wrong-expected-version', current: null };
    }
    return { kind: 'success', revision: null, position: this.truncate(stream, TOMBSTONE_REVISION).position };
  }

  /** Hard delete: a "$streamDeleted" record in the stream itself; the name can never be used again. */
  tombstone(stream: string, expected: Expected): AppendOutcome {
    const state = this.streams.get(stream);
    if (state?.tombstoned) return { kind: 'stream-deleted' };
    const current = this.currentRevision(stream);
    if (!this.holds(stream, expected)) return { kind: 'wrong-expected-version', current };
    const written = this.write(stream, TOMBSTONE_REVISION, {
      id: randomUUID(),
      type: '$streamDeleted',
      contentType: 'application/octet-stream',
      data: new Uint8Array(),
      metadata: new Uint8Array(),
    });
    this.streams.get(stream)!.tombstoned = true;
    return { kind: 'success', revision: null, position: written.position };
  }

  /**
   * The expected-version check of a node's commit: a soft-deleted stream counts as absent
   * (no_stream may recreate it, exists fails), a stream with only metadata as existing.
   */
  private holds(stream: string, expected: Expected): boolean {
    const current = this.currentRevision(stream);
    const softDeleted = this.streams.get(stream)?.truncateBefore === TOMBSTONE_REVISION;
    if (expected === 'any') return true;
    if (expected === 'no_stream') return current === null || softDeleted;
    if (expected === 'exists') return !softDeleted && (current ?? this.currentRevision(`$$${stream}`)) !== null;
    return current === expected;
  }

  /**
   * ESDB answers a re-sent write with the original result instead of writing again: with any or
   * exists when every event id was last written to this stream, with a revision or no_stream when
   * the same ids sit right after it. A partial match is a conflict.
   */
  private idempotentResult(
    stream: string,
    records: LogRecord[],
    expected: Expected,
    events: ProposedEvent[],
  ): LogRecord | 'conflict' | null {
    if (events.length === 0 || records.length === 0) return null;
    let last: LogRecord | undefined;
    if (expected === 'any' || expected === 'exists') {
      for (const [i, event] of events.entries()) {
        last = this.byEventId.get(event.id);
        if (last?.stream !== stream) return i === 0 ? null : 'conflict';
      }
      return last!;
    }
    const start = Number((expected === 'no_stream' ? NO_STREAM : expected) + 1n);
    if (records[start]?.id !== events[0].id) return null;
    for (const [i, event] of events.entries()) {
      last = records[start + i];
      if (last?.id !== event.id) return 'conflict';
    }
    return last!;
  }

  /** Writes the stream's $tb to "$$<stream>" and applies it to reads. */
  private truncate(stream: string, before: bigint): LogRecord {
    // A stream known only by its metadata gets a state too, so its soft delete is remembered.
    const state = this.streams.get(stream) ?? this.newStream(stream);
    state.truncateBefore = before;
    const metaStream = `$$${stream}`;
    // JSON.stringify cannot write a 64-bit integer, and the node writes $tb as a number.
    const data = new TextEncoder().encode(`{"$tb":${before}}`);
    return this.write(metaStream, (this.currentRevision(metaStream) ?? NO_STREAM) + 1n, {
      id: randomUUID(),
      type: '$metadata',
      contentType: 'application/json',
      data,
      metadata: new Uint8Array(),
    });
  }

  private write(stream: string, revision: bigint, event: ProposedEvent): LogRecord {
    const state = this.streams.get(stream) ?? this.newStream(stream);
    const record: LogRecord = {
      ...event,
      stream,
      revision,
      created: BigInt(Date.now()) * 10_000n,
      position: this.nextPosition,
    };
    // Positions are byte offsets in a real log: increasing, but not consecutive.
    this.nextPosition += BigInt(64 + stream.length + event.type.length + event.data.length + event.metadata.length);
    state.records.push(record);
    this.all.push(record);
    this.byEventId.set(record.id, record);
    this.changes.emit('append');
    return record;
  }

  private newStream(stream: string): StreamState {
    const state: StreamState = { records: [], tombstoned: false, truncateBefore: 0n };
    this.streams.set(stream, state);
    return state;
  }
}
