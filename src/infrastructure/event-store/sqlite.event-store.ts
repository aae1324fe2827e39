import Database from 'better-sqlite3';
import { ownerOnlySqliteFile } from '../files/owner-only';
import { EventEmitter } from 'node:events';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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
import { quickCheck } from '../files/sqlite-integrity';
import { decodeEvent } from './event-codec';
import { assertExpectedVersion, storedRetryOf } from './expected-version';
import { pollingSubscription } from './polling-subscription';
import { RecentCommits } from './recent-commits';

interface Row {
  position: number | bigint;
  stream_id: string;
  version: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
}

/** A row this process inserted (its position from lastInsertRowid, a number like every read's). */
type OwnRow = Row & { position: number };

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
  return decodeEvent({
    streamId: row.stream_id,
    version: row.version,
    position: BigInt(row.position),
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
  });
}

/** An event as it will be stored: serialised when the append is made, not when it is committed. */
interface SerialisedEvent {
  eventId: string;
  type: string;
  data: string;
  metadata: string;
}

/** One append waiting for the next group commit. */
interface Pending {
  streamId: string;
  events: SerialisedEvent[];
  expected: ExpectedVersion;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** Counters of the write path, for tests and the bench: how appends shared commits. */
export interface SqliteEventStoreStats {
  /** Write transactions committed (each one fsync of the WAL with synchronous=FULL). */
  commits: number;
  /** Appends acknowledged (stored or recognised as a retry) by those commits. */
  appends: number;
  /** readAll queries run on the file (callers' reads, subscriptions catching up or polling). */
  reads: number;
  /** Subscription batches handed over from this store's own recent commits, without a query. */
  recentDeliveries: number;
}

/** Rows of the latest commits kept for this process's subscriptions (a few MB at most). */
const RECENT_ROWS = 4096;

/** Literal-LIMIT statements kept per distinct limit; a handful of limits are ever asked for. */
const MAX_LIMITED_STATEMENTS = 64;

/**
 * The embedded default: one SQLite file in WAL mode with synchronous=FULL, so a commit returns
 * only after the WAL (holding the commit record) has been fsynced, and an append is acknowledged
 * only after its commit returned: nothing acknowledged is lost on a crash or power failure.
 *
 * Group commit keeps that affordable. Appends are queued and the queue is committed at the end of
 * the current event-loop turn (setImmediate), so every append arriving in the same turn — and,
 * under load, everything that arrived while the previous fsync blocked the loop — shares one
 * IMMEDIATE transaction and its one fsync. Inside it each append makes its own expected-version
 * check before it writes anything: a conflict refuses only that append, and as it wrote nothing
 * there is nothing to roll back (no SAVEPOINT per append: two statements fewer per command). A
 * failure after an append began writing (disk full, I/O error, a UNIQUE violation) fails the
 * whole transaction, so no append is ever committed in part. The IMMEDIATE
 * transaction holds the write lock from the version checks to the commit, so another process on
 * the same file cannot interleave (busy_timeout makes it wait); UNIQUE(stream_id, version) is the
 * last line of defence. Nothing is visible to readers in this process before the commit, and
 * every promise of a batch settles right after it, so no append is seen unacknowledged here.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly wake = new EventEmitter().setMaxListeners(0);
  private readonly statements;
  private readonly limited = new Map<string, Database.Statement<unknown[], unknown>>();
  private readonly appendOne: (streamId: string, events: SerialisedEvent[], expected: ExpectedVersion) => AppendResult;
  private readonly commitBatch: (batch: Pending[]) => {
    outcomes: (AppendResult | { error: unknown })[];
    rows: OwnRow[];
  };
  /** Rows inserted by the append being written; kept only once it returned. */
  private inserting: OwnRow[] = [];
  /** The append being written got past its checks: a failure now must fail the whole batch. */
  private writing = false;
  private readonly recent: RecentCommits<OwnRow>;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private readonly counters: SqliteEventStoreStats = { commits: 0, appends: 0, reads: 0, recentDeliveries: 0 };
  private readonly integrity: string | null;

  constructor(
    file: string,
    private readonly pollMs = 250,
    options: {
      /** Rows of recent commits kept for this process's subscriptions (0: every delivery reads the file). */
      recentRows?: number;
      /** false for a second connection of this process (the projection thread): the first one checked the file. */
      integrityCheck?: boolean;
    } = {},
  ) {
    this.recent = new RecentCommits<OwnRow>(options.recentRows ?? RECENT_ROWS);
    ownerOnlySqliteFile(file);
    this.db = new Database(file);
    this.integrity = options.integrityCheck === false ? null : quickCheck(this.db, file);
    this.db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: in WAL mode NORMAL syncs only at checkpoints, so the last commits before a
    // power failure could be lost after they were acknowledged.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    syncDirectoryOf(file);
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
      // A whole stream (a full fold, a history page from the start) is the common read; without
      // the version bound and the limit it runs measurably faster (bench: event-stores).
      readWholeStream: this.db.prepare<[string], Row>('SELECT * FROM events WHERE stream_id = ? ORDER BY version'),
      // Only appends with expected version any/exists look an id up; walking one tenant's stream
      // on the (stream_id, version) index is cheap, so no index on event_id is paid on every insert.
      versionOf: this.db.prepare<[string, string], { version: number }>(
        'SELECT version FROM events WHERE stream_id = ? AND event_id = ? ORDER BY version LIMIT 1',
      ),
      at: this.db.prepare<[string, number], { position: number }>(
        'SELECT position FROM events WHERE stream_id = ? AND version = ?',
      ),
      head: this.db.prepare<[], { p: number | null }>('SELECT MAX(position) AS p FROM events'),
    };
    this.appendOne = (streamId: string, events: SerialisedEvent[], expected: ExpectedVersion): AppendResult => {
      const current = this.statements.streamVersion.get(streamId)?.version ?? null;
      // The usual append (expected version = current) cannot be a retry: a stored retry would
      // have moved the stream past `expected`. Skipping the look-up saves a query per command.
      const usual = typeof expected === 'number' && expected === current;
      const retried = usual
        ? null
        : storedRetryOf(streamId, expected, events, current, {
            idsFrom: (from, n) =>
              this.limitedAll<{ event_id: string }>(
                'SELECT event_id FROM events WHERE stream_id = ? AND version >= ? ORDER BY version',
                n,
                streamId,
                from,
              ).map((r) => r.event_id),
            versionOf: (id) => this.statements.versionOf.get(streamId, id)?.version ?? null,
          });
      if (retried !== null) {
        const position = this.statements.at.get(streamId, retried)!.position;
        return { nextExpectedVersion: retried, position: BigInt(position) };
      }
      assertExpectedVersion(streamId, expected, current);
      this.writing = true;
      let version = current ?? 0;
      let position = 0n;
      for (const e of events) {
        version += 1;
        const info = this.statements.insert.run(streamId, version, e.eventId, e.type, e.data, e.metadata);
        position = BigInt(info.lastInsertRowid);
        this.inserting.push({
          position: Number(info.lastInsertRowid),
          stream_id: streamId,
          version,
          event_id: e.eventId,
          type: e.type,
          data: e.data,
          metadata: e.metadata,
        });
      }
      this.statements.setVersion.run(streamId, version);
      return { nextExpectedVersion: version, position };
    };
    const batch = this.db.transaction((items: Pending[]) => {
      const rows: OwnRow[] = [];
      const outcomes = items.map((p) => {
        this.inserting = [];
        this.writing = false;
        try {
          const result = this.appendOne(p.streamId, p.events, p.expected);
          rows.push(...this.inserting);
          return result;
        } catch (error) {
          // Refused by its checks, before writing: the others go on. Failed while writing: the
          // transaction rolls back whole (none of the batch is acknowledged), never in part.
          if (this.writing) throw error;
          return { error };
        } finally {
          this.inserting = [];
          this.writing = false;
        }
      });
      return { outcomes, rows };
    });
    this.commitBatch = batch.immediate.bind(batch) as never;
  }

  /** How many commits the appends so far took (group commit shares one among concurrent appends). */
  get stats(): Readonly<SqliteEventStoreStats> {
    return { ...this.counters };
  }

  /**
   * A range query with a bound `LIMIT ?` is re-prepared by SQLite on every call (the limit may
   * change the plan), so the limit is written into the SQL, one prepared statement per limit.
   */
  private limitedAll<T = Row>(sql: string, limit: number, ...params: unknown[]): T[] {
    // A negative limit means none, as LIMIT -1 does in SQLite.
    const key = Number.isSafeInteger(limit) && limit >= 0 ? `${sql} LIMIT ${limit}` : sql;
    let statement = this.limited.get(key);
    if (!statement) {
      if (this.limited.size >= MAX_LIMITED_STATEMENTS) this.limited.clear();
      statement = this.db.prepare<unknown[], unknown>(key);
      this.limited.set(key, statement);
    }
    return statement.all(...params) as T[];
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const whole = (options.fromVersion ?? 1) <= 1 && options.maxCount === undefined;
    const rows = whole
      ? this.statements.readWholeStream.all(streamId)
      : this.limitedAll(
          'SELECT * FROM events WHERE stream_id = ? AND version >= ? ORDER BY version',
          options.maxCount ?? -1,
          streamId,
          options.fromVersion ?? 1,
        );
    return rows.map(toStored);
  }

  appendToStream(
    streamId: string,
    events: NewEvent[],
    { expectedVersion }: { expectedVersion: ExpectedVersion },
  ): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      if (!this.db.open) return reject(new Error('the event store is closed'));
      // Serialised now, so what is stored is the events as they were when the append was made,
      // even if the caller reuses the objects before the commit.
      const serialised = events.map((e) => ({
        eventId: e.eventId,
        type: e.type,
        data: JSON.stringify(e.data),
        metadata: JSON.stringify(e.metadata),
      }));
      this.queue.push({ streamId, events: serialised, expected: expectedVersion, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every queued append in one transaction, then settles each one's promise. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let outcomes: (AppendResult | { error: unknown })[];
    let rows: OwnRow[];
    try {
      ({ outcomes, rows } = this.commitBatch(batch));
    } catch (error) {
      // The transaction itself failed (busy past the timeout, disk full, I/O error): nothing of
      // the batch was committed, so none of it is acknowledged.
      for (const p of batch) p.reject(error);
      return;
    }
    this.counters.commits += 1;
    let stored = false;
    outcomes.forEach((outcome, i) => {
      if ('error' in outcome) return batch[i].reject(outcome.error);
      this.counters.appends += 1;
      stored = true;
      batch[i].resolve(outcome);
    });
    // Kept before the wake, so a woken subscription finds the commit without reading it back.
    this.recent.add(rows);
    if (stored) this.wake.emit('append');
  }

  /**
   * Kept: the embedded store holds every stream for good (a few hundred bytes per OAuth state or
   * settings link); only EventStoreDB deployments, which grow without a bound, need the age limit.
   */
  async setStreamMaxAge(streamId: string, maxAgeSeconds: number): Promise<void> {
    if (!streamId || !(maxAgeSeconds > 0)) throw new Error('a stream id and a positive age are required');
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.counters.reads += 1;
    const after = Number(options.after ?? 0n);
    const limit = options.maxCount ?? -1;
    // `+stream_id` keeps SQLite off the (stream_id, version) index: with it, a prefix that
    // matches most streams meant reading every event and sorting them on each call (seconds at
    // a million events, on every subscription poll and readiness check); walking positions from
    // `after` reads only what is asked for.
    const rows = options.streamPrefix
      ? this.limitedAll(
          'SELECT * FROM events WHERE position > ? AND +stream_id >= ? AND +stream_id < ? ORDER BY position',
          limit,
          after,
          options.streamPrefix,
          prefixUpperBound(options.streamPrefix),
        )
      : this.limitedAll('SELECT * FROM events WHERE position > ? ORDER BY position', limit, after);
    return rows.map(toStored);
  }

  /**
   * The rows of other types are skipped by SQLite (no index on type: a scan of the positions after
   * `after`, but nothing decoded), so folding one event type over a million events costs
   * a fraction of reading them all.
   */
  async readAllOfTypes(types: readonly string[], options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    if (types.length === 0) return [];
    this.counters.reads += 1;
    const after = Number(options.after ?? 0n);
    const limit = options.maxCount ?? -1;
    const typeIn = `type IN (${types.map(() => '?').join(', ')})`;
    const rows = options.streamPrefix
      ? this.limitedAll(
          'SELECT * FROM events WHERE position > ? AND +stream_id >= ? AND +stream_id < ? ' +
            `AND ${typeIn} ORDER BY position`,
          limit,
          after,
          options.streamPrefix,
          prefixUpperBound(options.streamPrefix),
          ...types,
        )
      : this.limitedAll(
          `SELECT * FROM events WHERE position > ? AND ${typeIn} ORDER BY position`,
          limit,
          after,
          ...types,
        );
    return rows.map(toStored);
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    return pollingSubscription(
      (o) => this.readAll(o),
      this.wake,
      options,
      handler,
      this.pollMs,
      (after, prefix, max) => this.recentAfter(after, prefix, max),
    );
  }

  /**
   * What this process committed after `after`, decoded from the stored text exactly as a read
   * would decode it (a fresh object per delivery, the same EventDecodeError). Null when the kept
   * commits do not continue `after` without a gap: another process committed in between, or
   * they no longer reach that far back — the subscription reads the file then.
   */
  private recentAfter(after: bigint, prefix: string | undefined, maxCount: number) {
    const found = this.recent.after(Number(after), (row) => !prefix || row.stream_id.startsWith(prefix), maxCount);
    if (!found) return null;
    if (found.rows.length > 0) this.counters.recentDeliveries += 1;
    return { events: found.rows.map(toStored), through: BigInt(found.through) };
  }

  /** Called after every commit that stored something (the projection thread is woken this way). */
  onAppend(listener: () => void): () => void {
    this.wake.on('append', listener);
    return () => this.wake.off('append', listener);
  }

  /**
   * Another connection to this file committed (the service's store, seen from the projection
   * thread): subscriptions read now instead of at their next poll.
   */
  appendedElsewhere(): void {
    this.wake.emit('append');
  }

  integrityProblem(): string | null {
    return this.integrity;
  }

  async headPosition(): Promise<bigint> {
    return BigInt(this.statements.head.get()?.p ?? 0);
  }

  async close(): Promise<void> {
    // Appends already accepted are committed (and acknowledged) before the file is closed.
    if (this.db.open) this.flush();
    this.wake.removeAllListeners();
    this.recent.clear();
    if (this.db.open) this.db.close();
  }
}

/** The smallest string greater than every string that starts with `prefix`. */
function prefixUpperBound(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/**
 * Makes the directory entries of the database file and its WAL durable before any append is
 * acknowledged: fsync of a file does not persist a new file's name, so on a fresh DATA_DIR a
 * power failure could otherwise leave synced WAL frames that no directory entry points to.
 */
function syncDirectoryOf(file: string): void {
  if (file === '' || file === ':memory:' || file.startsWith('file:')) return;
  let fd: number | undefined;
  try {
    fd = openSync(dirname(resolve(file)), 'r');
    fsyncSync(fd);
  } catch (error) {
    // Some platforms (Windows) cannot open or fsync a directory; there this step is skipped.
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EACCES'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
