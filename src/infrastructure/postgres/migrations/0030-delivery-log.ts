import { type Kysely, sql } from 'kysely';

/**
 * The delivery log: one row per message, shared by every instance. Recipients are an array with a
 * GIN index, so "messages to this address" does not scan a tenant's month of mail.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE delivery_log (
    seq        bigserial PRIMARY KEY,
    tenant_id  text        NOT NULL,
    at         timestamptz NOT NULL,
    outcome    text        NOT NULL,
    recipients text[]      NOT NULL,
    record     jsonb       NOT NULL
  )`.execute(db);
  await sql`CREATE INDEX delivery_log_tenant ON delivery_log (tenant_id, seq DESC)`.execute(db);
  await sql`CREATE INDEX delivery_log_at ON delivery_log (at)`.execute(db);
  await sql`CREATE INDEX delivery_log_recipients ON delivery_log USING gin (recipients)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE delivery_log`.execute(db);
}
