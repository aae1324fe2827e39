import { type Kysely, sql } from 'kysely';

/**
 * Idempotency-Key records shared by every instance: one row per (tenant, hashed key), claimed
 * before a send and completed after it. A pending row's lease is renewed by its owner while the
 * send runs; once it has run out the owner is taken for dead and the outcome as unknown.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE idempotency_records (
    scope            text NOT NULL,
    key_hash         text NOT NULL,
    fingerprint      text NOT NULL,
    state            text NOT NULL CHECK (state IN ('pending', 'completed')),
    owner            uuid NOT NULL,
    outcome          json,
    created_at       timestamptz NOT NULL,
    lease_expires_at timestamptz NOT NULL,
    PRIMARY KEY (scope, key_hash)
  )`.execute(db);
  await sql`CREATE INDEX idempotency_records_created_at ON idempotency_records (created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE idempotency_records`.execute(db);
}
