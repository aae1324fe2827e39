import Database from 'better-sqlite3';
import { ownerOnlySqliteFile } from '../files/owner-only';
import { randomUUID } from 'node:crypto';
import {
  type IdempotencyClaim,
  type IdempotencyStore,
  type StoredOutcome,
} from '../../application/ports/idempotency.port';
import { hashIdempotencyKey as hashKey, IDEMPOTENCY_RETENTION_MS } from './idempotency-key';

export { IDEMPOTENCY_RETENTION_MS };

interface Row {
  fingerprint: string;
  state: 'pending' | 'completed';
  owner: string;
  outcome: string | null;
}

export interface SqliteIdempotencyOptions {
  retentionMs?: number;
  now?: () => number;
}

/**
 * Owners (store instances) open in this process. The embedded shape is one process on its
 * DATA_DIR, so a pending claim whose owner is not open here was left by a process that stopped:
 * no lease is needed to know it will never finish.
 */
const LIVE_OWNERS = new Set<string>();

/**
 * Idempotency records in DATA_DIR/idempotency.db (the embedded and single-node shapes). Keys are
 * stored hashed: a client may use something guessable, and the file has no business holding it.
 * Each store has an owner id, so a pending claim left by a process that died is told apart from
 * one still running. Writes are synchronous (better-sqlite3): once complete() returns the outcome
 * is on disk.
 */
export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly db: Database.Database;
  private readonly owner = randomUUID();
  private readonly retentionMs: number;
  private readonly now: () => number;
  private readonly purgeTimer: NodeJS.Timeout;

  constructor(file: string, options: SqliteIdempotencyOptions = {}) {
    this.retentionMs = options.retentionMs ?? IDEMPOTENCY_RETENTION_MS;
    this.now = options.now ?? Date.now;
    ownerOnlySqliteFile(file);
    this.db = new Database(file);
    LIVE_OWNERS.add(this.owner);
    this.db.pragma('journal_mode = WAL');
    // Explicit, as for keys.db: a reopened WAL file would run NORMAL (better-sqlite3's build), and a
    // recorded outcome lost on power failure would let the client's retry send the message twice.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS idempotency (
      scope       TEXT    NOT NULL,
      key_hash    TEXT    NOT NULL,
      fingerprint TEXT    NOT NULL,
      state       TEXT    NOT NULL,
      owner       TEXT    NOT NULL,
      outcome     TEXT,
      created_at  INTEGER NOT NULL,
      PRIMARY KEY (scope, key_hash)
    )`);
    this.purgeExpired();
    this.purgeTimer = setInterval(() => this.purgeExpired(), 60 * 60 * 1000);
    this.purgeTimer.unref();
  }

  async claim(scope: string, key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const keyHash = hashKey(key);
    const now = this.now();
    const claim = this.db.transaction((): IdempotencyClaim => {
      this.db
        .prepare('DELETE FROM idempotency WHERE scope = ? AND key_hash = ? AND created_at <= ?')
        .run(scope, keyHash, now - this.retentionMs);
      const inserted = this.db
        .prepare(
          `INSERT OR IGNORE INTO idempotency (scope, key_hash, fingerprint, state, owner, created_at)
           VALUES (?, ?, ?, 'pending', ?, ?)`,
        )
        .run(scope, keyHash, fingerprint, this.owner, now);
      if (inserted.changes === 1) return { kind: 'claimed' };
      const row = this.db
        .prepare<[string, string], Row>(
          'SELECT fingerprint, state, owner, outcome FROM idempotency WHERE scope = ? AND key_hash = ?',
        )
        .get(scope, keyHash)!;
      if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (row.state === 'completed') {
        return { kind: 'completed', outcome: JSON.parse(row.outcome!) };
      }
      return LIVE_OWNERS.has(row.owner) ? { kind: 'in_progress' } : { kind: 'interrupted' };
    });
    return claim.immediate();
  }

  async complete(scope: string, key: string, outcome: StoredOutcome): Promise<void> {
    this.db
      .prepare(
        `UPDATE idempotency SET state = 'completed', outcome = ?
         WHERE scope = ? AND key_hash = ? AND owner = ? AND state = 'pending'`,
      )
      .run(JSON.stringify(outcome), scope, hashKey(key), this.owner);
  }

  async release(scope: string, key: string): Promise<void> {
    this.db
      .prepare(`DELETE FROM idempotency WHERE scope = ? AND key_hash = ? AND owner = ? AND state = 'pending'`)
      .run(scope, hashKey(key), this.owner);
  }

  purgeExpired(): number {
    return this.db.prepare('DELETE FROM idempotency WHERE created_at <= ?').run(this.now() - this.retentionMs).changes;
  }

  async close(): Promise<void> {
    LIVE_OWNERS.delete(this.owner);
    clearInterval(this.purgeTimer);
    if (this.db.open) this.db.close();
  }
}
