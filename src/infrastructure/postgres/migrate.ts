import { Kysely, type Migration, type MigrationResult, Migrator, PostgresDialect } from 'kysely';
import { type DatabaseConfig } from '../config/database-config';
import { MIGRATIONS } from './migrations';
import { createPool } from './pool';

export interface MigrationOutcome {
  /** Migrations this call applied (others may have been applied by another instance meanwhile). */
  applied: string[];
}

/**
 * Brings the schema to the latest migration. Kysely's PostgreSQL adapter holds a session-level
 * advisory lock (pg_advisory_lock) around the whole run, so instances starting together apply
 * each migration once: the others wait, then find nothing left to do.
 */
export async function migrateToLatest(
  config: DatabaseConfig,
  migrations: Record<string, Migration> = MIGRATIONS,
): Promise<MigrationOutcome> {
  // A pool of its own, without the statement timeout: a migration may rewrite a large table.
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: createPool(config, { max: 1, statement_timeout: 0, query_timeout: 0 }) }),
  });
  try {
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const { error, results = [] } = await migrator.migrateToLatest();
    const failed = results.find((r: MigrationResult) => r.status === 'Error');
    if (error || failed) {
      const reason = error instanceof Error ? error.message : String(error ?? 'failed');
      throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${reason}`.replace('  ', ' '));
    }
    return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
  } finally {
    await db.destroy();
  }
}
