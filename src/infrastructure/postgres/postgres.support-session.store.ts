import { type Pool } from 'pg';
import {
  type SupportSessionRecord,
  type SupportSessionStore,
  type SupportSignInMethod,
} from '../../application/ports/support-session.port';
import { unavailableAs } from './postgres-errors';

interface Row {
  identity: string;
  method: SupportSignInMethod;
  created_at: Date;
  expires_at: Date;
  last_used_at: Date;
  token_fingerprint: string | null;
}

/** Support sessions in the replicated shape's PostgreSQL (migration 0022), shared by every instance. */
export class PostgresSupportSessionStore implements SupportSessionStore {
  constructor(private readonly pool: Pool) {}

  async create(idHash: string, s: SupportSessionRecord): Promise<void> {
    await unavailableAs('support session', () =>
      this.pool.query(
        `INSERT INTO support_sessions
           (id_hash, identity, method, created_at, expires_at, last_used_at, token_fingerprint)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [idHash, s.identity, s.method, s.createdAt, s.expiresAt, s.lastUsedAt, s.tokenFingerprint],
      ),
    );
  }

  async find(idHash: string, now: Date): Promise<SupportSessionRecord | null> {
    const { rows } = await unavailableAs('support session', () =>
      this.pool.query<Row>({
        name: 'mcs_support_session_find',
        // A null last use: a session an instance of the previous version began (migration 0023).
        text: `SELECT identity, method, created_at, expires_at,
                      COALESCE(last_used_at, created_at) AS last_used_at, token_fingerprint
               FROM support_sessions
               WHERE id_hash = $1 AND revoked_at IS NULL AND expires_at > $2`,
        values: [idHash, now],
      }),
    );
    const row = rows[0];
    return row
      ? {
          identity: row.identity,
          method: row.method,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
          lastUsedAt: row.last_used_at,
          tokenFingerprint: row.token_fingerprint,
        }
      : null;
  }

  async touch(idHash: string, at: Date): Promise<void> {
    // Never backwards: another instance may have recorded a later use meanwhile.
    await unavailableAs('support session', () =>
      this.pool.query(
        `UPDATE support_sessions SET last_used_at = $2
         WHERE id_hash = $1 AND (last_used_at IS NULL OR last_used_at < $2)`,
        [idHash, at],
      ),
    );
  }

  async revoke(idHash: string, at: Date): Promise<void> {
    await unavailableAs('support session', () =>
      this.pool.query('UPDATE support_sessions SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL', [
        idHash,
        at,
      ]),
    );
  }

  async purge(before: Date): Promise<number> {
    const result = await this.pool.query('DELETE FROM support_sessions WHERE expires_at <= $1 OR revoked_at <= $1', [
      before,
    ]);
    return result.rowCount ?? 0;
  }

  /** The pool belongs to the instance's PostgresDatabase, which ends it. */
  async close(): Promise<void> {}
}
