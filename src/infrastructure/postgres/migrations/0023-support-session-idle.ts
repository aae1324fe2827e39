import { type Kysely, sql } from 'kysely';

/**
 * Support sessions' last use (the idle timeout, SUPPORT_SESSION_IDLE) and, for sessions begun with
 * the shared support token, an HMAC of that token keyed by the session id (a rotated token ends
 * them). Both nullable with no default, so an instance still on the previous version keeps
 * inserting during a rolling upgrade: a null last use reads as the creation time, and a token
 * session without a fingerprint is refused (its agents sign in once more).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE support_sessions
    ADD COLUMN last_used_at timestamptz,
    ADD COLUMN token_fingerprint text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE support_sessions DROP COLUMN last_used_at, DROP COLUMN token_fingerprint`.execute(db);
}
