import { type Kysely, sql } from 'kysely';

/**
 * Finds the tenants that share a username (provisioned before usernames were claimed) without a
 * scan: the same expression as the dashboard's query (usernameKeySql in read-model-rows.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX read_model_tenants_by_username_key ON read_model_tenants
    ((COALESCE(record->>'usernameKey', lower(record->>'username'))))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX read_model_tenants_by_username_key`.execute(db);
}
