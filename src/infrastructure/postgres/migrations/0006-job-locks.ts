import { type Kysely, sql } from 'kysely';

/** When each scheduled job last started, and which instance runs it now under a lease. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE job_locks (
    job              text PRIMARY KEY,
    holder           uuid NOT NULL,
    running          boolean NOT NULL,
    lease_expires_at timestamptz NOT NULL,
    last_started_at  timestamptz NOT NULL
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE job_locks`.execute(db);
}
