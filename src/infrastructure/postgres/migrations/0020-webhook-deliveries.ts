import { type Kysely, sql } from 'kysely';

/**
 * The webhook queue every instance works (rows claimed with FOR UPDATE SKIP LOCKED and a lease),
 * and the checkpoint of the feed that fills it, moved in the same transaction as the inserts.
 * The checkpoint has no row until the feed first starts: it then begins at the store's head.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE webhook_checkpoint (
    id         smallint PRIMARY KEY CHECK (id = 1),
    position   bigint NOT NULL,
    updated_at timestamptz NOT NULL
  )`.execute(db);
  await sql`CREATE TABLE webhook_deliveries (
    id               text PRIMARY KEY,
    event_id         text NOT NULL,
    position         bigint NOT NULL UNIQUE,
    tenant_id        text NOT NULL,
    type             text NOT NULL,
    body             text NOT NULL,
    status           text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    schedule_index   integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL,
    next_attempt_at  timestamptz,
    claim            uuid,
    last_attempt_at  timestamptz,
    last_status_code integer,
    last_error       text,
    delivered_at     timestamptz,
    failed_at        timestamptz,
    replays          integer NOT NULL DEFAULT 0,
    last_replayed_by text
  )`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending'`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_by_status ON webhook_deliveries (status, position)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE webhook_deliveries`.execute(db);
  await sql`DROP TABLE webhook_checkpoint`.execute(db);
}
