import Database from 'better-sqlite3';
import { ownerOnlySqliteFile } from '../files/owner-only';
import {
  type SupportSessionRecord,
  type SupportSessionStore,
  type SupportSignInMethod,
} from '../../application/ports/support-session.port';

interface Row {
  identity: string;
  method: SupportSignInMethod;
  created_at: number;
  expires_at: number;
  last_used_at: number;
  token_fingerprint: string | null;
}

/** Support sessions in DATA_DIR/support-sessions.db (the embedded and single-node shapes). */
export class SqliteSupportSessionStore implements SupportSessionStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    ownerOnlySqliteFile(file);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS support_sessions (
      id_hash    TEXT    PRIMARY KEY,
      identity   TEXT    NOT NULL,
      method     TEXT    NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      revoked_at INTEGER
    )`);
    // Files written before the idle timeout and the token binding: their sessions read as last used
    // when created, and token sessions without a fingerprint are refused (one sign-in after upgrade).
    const columns = new Set(
      this.db
        .prepare<[], { name: string }>('PRAGMA table_info(support_sessions)')
        .all()
        .map((c) => c.name),
    );
    if (!columns.has('last_used_at')) this.db.exec('ALTER TABLE support_sessions ADD COLUMN last_used_at INTEGER');
    if (!columns.has('token_fingerprint')) {
      this.db.exec('ALTER TABLE support_sessions ADD COLUMN token_fingerprint TEXT');
    }
  }

  async create(idHash: string, s: SupportSessionRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO support_sessions
           (id_hash, identity, method, created_at, expires_at, last_used_at, token_fingerprint)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        idHash,
        s.identity,
        s.method,
        s.createdAt.getTime(),
        s.expiresAt.getTime(),
        s.lastUsedAt.getTime(),
        s.tokenFingerprint,
      );
  }

  async find(idHash: string, now: Date): Promise<SupportSessionRecord | null> {
    const row = this.db
      .prepare<[string, number], Row>(
        `SELECT identity, method, created_at, expires_at,
                COALESCE(last_used_at, created_at) AS last_used_at, token_fingerprint
         FROM support_sessions
         WHERE id_hash = ? AND revoked_at IS NULL AND expires_at > ?`,
      )
      .get(idHash, now.getTime());
    return row
      ? {
          identity: row.identity,
          method: row.method,
          createdAt: new Date(row.created_at),
          expiresAt: new Date(row.expires_at),
          lastUsedAt: new Date(row.last_used_at),
          tokenFingerprint: row.token_fingerprint,
        }
      : null;
  }

  async touch(idHash: string, at: Date): Promise<void> {
    this.db
      .prepare(
        `UPDATE support_sessions SET last_used_at = ?
         WHERE id_hash = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
      )
      .run(at.getTime(), idHash, at.getTime());
  }

  async revoke(idHash: string, at: Date): Promise<void> {
    this.db
      .prepare('UPDATE support_sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL')
      .run(at.getTime(), idHash);
  }

  async purge(before: Date): Promise<number> {
    const t = before.getTime();
    return this.db.prepare('DELETE FROM support_sessions WHERE expires_at <= ? OR revoked_at <= ?').run(t, t).changes;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
