import { type Kysely, sql } from 'kysely';

/**
 * Per-tenant data keys, wrapped by a master key. Erasure deletes the key's row and keeps only
 * the fact of the erasure, so nothing in a live row can be unwrapped again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE data_keys (
    tenant_id     text PRIMARY KEY,
    data_key_id   text NOT NULL,
    master_key_id text NOT NULL,
    wrapped       bytea NOT NULL
  )`.execute(db);
  await sql`CREATE TABLE shredded_data_keys (
    tenant_id   text PRIMARY KEY,
    shredded_at timestamptz NOT NULL
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE shredded_data_keys`.execute(db);
  await sql`DROP TABLE data_keys`.execute(db);
}
