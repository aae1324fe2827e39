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
  /** Soft delete: revisions below this are hidden from stream reads ($tb in the stream metadata). */
  truncateBefore: bigint;
}

export class EsdbLog {
  readonly all: LogRecord[] = [];
  /** Emits 'append' after every write so live subscriptions wake up. */
  readonly changes = new EventEmitter().setMaxListeners(0);
  private readonly streams = new Map<string, StreamState>();
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
    const retry = this.idempotentResult(state?.records ?? [], expected, events);
    if (retry === 'conflict') return { kind: 'wrong-expected-version', current };
    if (retry) return { kind: 'success', revision: retry.revision, position: retry.position };
    if (!matches(expected, current)) return { kind: 'wrong-expected-version', current };
    if (events.length === 0) return { kind: 'success', revision: current, position: null };
    let revision = current ?? NO_STREAM;
    let last: LogRecord | undefined;
    for (const event of events) last = this.write(stream, ++revision, event);
    return { kind: 'success', revision, position: last!.position };
  }

  /** Soft delete: ESDB records it as stream metadata ($tb) written to "$$<stream>". */
  softDelete(stream: string, expected: Expected): AppendOutcome {
    const state = this.streams.get(stream);
    if (state?.tombstoned) return { kind: 'stream-deleted' };
    const current = this.currentRevision(stream);
    if (!matches(expected, current)) return { kind: 'wrong-expected-version', current };
    const truncateBefore = (current ?? NO_STREAM) + 1n;
    if (state) state.truncateBefore = truncateBefore;
    const meta = new TextEncoder().encode(JSON.stringify({ $tb: Number(truncateBefore) }));
    const metaStream = `$$${stream}`;
    const written = this.write(metaStream, (this.currentRevision(metaStream) ?? NO_STREAM) + 1n, {
      id: randomUUID(),
      type: '$metadata',
      contentType: 'application/json',
      data: meta,
      metadata: new Uint8Array(),
    });
    return { kind: 'success', revision: null, position: written.position };
  }

  /** Hard delete: a "$streamDeleted" record in the stream itself; the name can never be used again. */
  tombstone(stream: string, expected: Expected): AppendOutcome {
    if (this.streams.get(stream)?.tombstoned) return { kind: 'stream-deleted' };
    const current = this.currentRevision(stream);
    if (!matches(expected, current)) return { kind: 'wrong-expected-version', current };
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
   * ESDB answers a re-sent write (same event ids at the place the expected version points to)
   * with the original result instead of writing again. A partial match is a conflict.
   */
  private idempotentResult(
    records: LogRecord[],
    expected: Expected,
    events: ProposedEvent[],
  ): LogRecord | 'conflict' | null {
    if (events.length === 0 || records.length === 0) return null;
    let start: number;
    if (expected === 'any' || expected === 'exists') {
      start = records.findIndex((r) => r.id === events[0].id);
      if (start < 0) return null;
    } else {
      start = Number((expected === 'no_stream' ? NO_STREAM : expected) + 1n);
      if (records[start]?.id !== events[0].id) return null;
    }
    const slice = records.slice(start, start + events.length);
    const same = slice.length === events.length && slice.every((r, i) => r.id === events[i].id);
    return same ? slice[slice.length - 1] : 'conflict';
  }

  private write(stream: string, revision: bigint, event: ProposedEvent): LogRecord {
    let state = this.streams.get(stream);
    if (!state) this.streams.set(stream, (state = { records: [], tombstoned: false, truncateBefore: 0n }));
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
    this.changes.emit('append');
    return record;
  }
}

export function matches(expected: Expected, current: bigint | null): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === null;
  if (expected === 'exists') return current !== null;
  return current === expected;
}
