import Database from 'better-sqlite3';
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

interface Row {
  position: number | bigint;
  stream_id: string;
  version: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position  INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id TEXT    NOT NULL,
  version   INTEGER NOT NULL,
  event_id  TEXT    NOT NULL,
  type      TEXT    NOT NULL,
  data      TEXT    NOT NULL,
  metadata  TEXT    NOT NULL,
  UNIQUE (stream_id, version)
);
CREATE TABLE IF NOT EXISTS streams (
  stream_id TEXT PRIMARY KEY,
  version   INTEGER NOT NULL
);`;

function toStored(row: Row): StoredEvent {
  return {
    streamId: row.stream_id,
    version: row.version,
    position: BigInt(row.position),
    eventId: row.event_id,
    type: row.type,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
  };
}

/**
 * The embedded default: one SQLite file in WAL mode. One append is one IMMEDIATE transaction,
 * so the version check and the insert cannot interleave with another writer, in this process
 * or another one on the same file; UNIQUE(stream_id, version) is the last line of defence.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly wake = new EventEmitter().setMaxListeners(0);
  private readonly statements;
  private readonly appendTx: (streamId: string, events: NewEvent[], expected: ExpectedVersion) => AppendResult;

  constructor(
    file: string,
    private readonly pollMs = 250,
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.db.defaultSafeIntegers(false);
    this.statements = {
      streamVersion: this.db.prepare<[string], { version: number }>('SELECT version FROM streams WHERE stream_id = ?'),
      setVersion: this.db.prepare(
        'INSERT INTO streams (stream_id, version) VALUES (?, ?) ' +
          'ON CONFLICT(stream_id) DO UPDATE SET version = excluded.version',
      ),
      insert: this.db.prepare(
        'INSERT INTO events (stream_id, version, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      readStream: this.db.prepare<[string, number, number], Row>(
        'SELECT * FROM events WHERE stream_id = ? AND version >= ? ORDER BY version LIMIT ?',
      ),
      // A whole stream (a full fold, a history page from the start) is the common read; without
      // the version bound and the limit it runs measurably faster (bench: event-stores).
      readWholeStream: this.db.prepare<[string], Row>('SELECT * FROM events WHERE stream_id = ? ORDER BY version'),
      idsFrom: this.db.prepare<[string, number, number], { event_id: string }>(
        'SELECT event_id FROM events WHERE stream_id = ? AND version >= ? ORDER BY version LIMIT ?',
      ),
      // Only appends with expected version any/exists look an id up; walking one tenant's stream
      // on the (stream_id, version) index is cheap, so no index on event_id is paid on every insert.
      versionOf: this.db.prepare<[string, string], { version: number }>(
        'SELECT version FROM events WHERE stream_id = ? AND event_id = ? ORDER BY version LIMIT 1',
      ),
      at: this.db.prepare<[string, number], { position: number }>(
        'SELECT position FROM events WHERE stream_id = ? AND version = ?',
      ),
      readAll: this.db.prepare<[number, number], Row>(
        'SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?',
      ),
      // `+stream_id` keeps SQLite off the (stream_id, version) index: with it, a prefix that
      // matches most streams meant reading every event and sorting them on each call (seconds at
      // a million events, on every subscription poll and readiness check); walking positions from
      // `after` reads only what is asked for.
      readAllPrefix: this.db.prepare<[number, string, string, number], Row>(
        'SELECT * FROM events WHERE position > ? AND +stream_id >= ? AND +stream_id < ? ORDER BY position LIMIT ?',
      ),
      head: this.db.prepare<[], { p: number | null }>('SELECT MAX(position) AS p FROM events'),
    };
    this.appendTx = this.db
      .transaction((streamId: string, events: NewEvent[], expected: ExpectedVersion): AppendResult => {
        const current = this.statements.streamVersion.get(streamId)?.version ?? null;
        // The usual append (expected version = current) cannot be a retry: a stored retry would
        // have moved the stream past `expected`. Skipping the look-up saves a query per command.
        const usual = typeof expected === 'number' && expected === current;
        const retried = usual
          ? null
          : storedRetryOf(streamId, expected, events, current, {
              idsFrom: (from, n) => this.statements.idsFrom.all(streamId, from, n).map((r) => r.event_id),
              versionOf: (id) => this.statements.versionOf.get(streamId, id)?.version ?? null,
            });
        if (retried !== null) {
          const position = this.statements.at.get(streamId, retried)!.position;
          return { nextExpectedVersion: retried, position: BigInt(position) };
        }
        assertExpectedVersion(streamId, expected, current);
        let version = current ?? 0;
        let position = 0n;
        for (const e of events) {
          version += 1;
          const info = this.statements.insert.run(
            streamId,
            version,
            e.eventId,
            e.type,
            JSON.stringify(e.data),
            JSON.stringify(e.metadata),
          );
          position = BigInt(info.lastInsertRowid);
        }
        this.statements.setVersion.run(streamId, version);
        return { nextExpectedVersion: version, position };
      })
      .immediate.bind(null) as never;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const whole = (options.fromVersion ?? 1) <= 1 && options.maxCount === undefined;
    const rows = whole
      ? this.statements.readWholeStream.all(streamId)
      : this.statements.readStream.all(streamId, options.fromVersion ?? 1, options.maxCount ?? -1);
    return rows.map(toStored);
  }

  async appendToStream(
    streamId: string,
    events: NewEvent[],
    { expectedVersion }: { expectedVersion: ExpectedVersion },
  ): Promise<AppendResult> {
    const result = this.appendTx(streamId, events, expectedVersion);
    this.wake.emit('append');
    return result;
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const after = Number(options.after ?? 0n);
    const limit = options.maxCount ?? -1;
    const rows = options.streamPrefix
      ? this.statements.readAllPrefix.all(after, options.streamPrefix, prefixUpperBound(options.streamPrefix), limit)
      : this.statements.readAll.all(after, limit);
    return rows.map(toStored);
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    return pollingSubscription((o) => this.readAll(o), this.wake, options, handler, this.pollMs);
  }

  async headPosition(): Promise<bigint> {
    return BigInt(this.statements.head.get()?.p ?? 0);
  }

  async close(): Promise<void> {
    this.wake.removeAllListeners();
    if (this.db.open) this.db.close();
  }
}

/** The smallest string greater than every string that starts with `prefix`. */
function prefixUpperBound(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
