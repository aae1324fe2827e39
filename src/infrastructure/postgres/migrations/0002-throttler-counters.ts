import { type Kysely, sql } from 'kysely';

/**
 * Rate-limit windows shared by every instance. UNLOGGED: no WAL for a write on every limited
 * request; after a crash or a failover the table starts empty, which only resets the budgets.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE UNLOGGED TABLE throttler_counters (
    key               text NOT NULL,
    throttler         text NOT NULL,
    window_expires_at timestamptz NOT NULL,
    hits              integer NOT NULL,
    blocked_until     timestamptz,
    PRIMARY KEY (key, throttler)
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE throttler_counters`.execute(db);
}
