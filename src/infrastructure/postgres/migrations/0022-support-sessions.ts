import { type Kysely, sql } from 'kysely';

/**
 * Support dashboard sessions shared by every instance: a session begun at one instance is
 * honoured at the others, and its sign-out is seen everywhere at once. Only the SHA-256 of the
 * session id is stored.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE support_sessions (
    id_hash    text PRIMARY KEY,
    identity   text NOT NULL,
    method     text NOT NULL CHECK (method IN ('token', 'oidc')),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
  )`.execute(db);
  await sql`CREATE INDEX support_sessions_expires_at ON support_sessions (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE support_sessions`.execute(db);
}
