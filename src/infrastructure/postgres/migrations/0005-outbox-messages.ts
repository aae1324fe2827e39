import { type Kysely, sql } from 'kysely';

/**
 * Default-mode mail of a replicated deployment without DEFAULT_RELAY_URL: the .eml an embedded
 * service writes to DATA_DIR/outbox, kept in the shared database instead (no instance has a
 * volume of its own).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE outbox_messages (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id    text NOT NULL,
    envelope_from text NOT NULL,
    envelope_to   text[] NOT NULL,
    raw           bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE outbox_messages`.execute(db);
}
