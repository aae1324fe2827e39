import { type Kysely, sql } from 'kysely';

/**
 * The read models every instance answers from, and the projection's checkpoint, written in the
 * same transaction as the rows. `json` (not jsonb) keeps the event's text as written, so the
 * audit shows data exactly as the tenant history does.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE projection_checkpoints (
    projection text PRIMARY KEY,
    position   bigint NOT NULL,
    generation integer NOT NULL,
    updated_at timestamptz
  )`.execute(db);
  await sql`INSERT INTO projection_checkpoints (projection, position, generation) VALUES ('mail-config', 0, 1)`.execute(
    db,
  );
  // Byte order ("C"), as SQLite's: the dashboard pages by tenant id the same way on both stores.
  await sql`CREATE TABLE read_model_tenants (
    tenant_id     text COLLATE "C" PRIMARY KEY,
    mode          text NOT NULL,
    status        text NOT NULL,
    gmail_revoked boolean NOT NULL,
    smtp_failing  boolean NOT NULL,
    search        text NOT NULL,
    record        json NOT NULL
  )`.execute(db);
  await sql`CREATE INDEX read_model_tenants_by_status ON read_model_tenants (status, tenant_id)`.execute(db);
  await sql`CREATE INDEX read_model_tenants_by_mode ON read_model_tenants (mode, tenant_id)`.execute(db);
  await sql`CREATE TABLE read_model_audit_events (
    position  bigint PRIMARY KEY,
    tenant_id text NOT NULL,
    type      text NOT NULL,
    at_ms     bigint,
    event     json NOT NULL
  )`.execute(db);
  await sql`CREATE INDEX read_model_audit_by_tenant ON read_model_audit_events (tenant_id, position)`.execute(db);
  await sql`CREATE INDEX read_model_audit_by_type ON read_model_audit_events (type, position)`.execute(db);
  await sql`CREATE INDEX read_model_audit_by_time ON read_model_audit_events (at_ms)`.execute(db);
  await sql`CREATE TABLE read_model_skipped_events (
    type          text PRIMARY KEY,
    count         integer NOT NULL,
    last_position bigint NOT NULL
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'read_model_skipped_events',
    'read_model_audit_events',
    'read_model_tenants',
    'projection_checkpoints',
  ]) {
    await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  }
}
