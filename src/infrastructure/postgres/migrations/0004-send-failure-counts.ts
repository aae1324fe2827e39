import { type Kysely, sql } from 'kysely';

/**
 * Consecutive failed sends per tenant, shared by every instance. UNLOGGED: after a crash the
 * counts start over, which only delays a DeliveryFailing by a few failures.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE UNLOGGED TABLE send_failure_counts (
    tenant_id text PRIMARY KEY,
    mode      text NOT NULL,
    count     integer NOT NULL
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE send_failure_counts`.execute(db);
}
