import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type Pool } from 'pg';
import { type StoredEvent } from '../../src/application/ports/event-store.port';
import { type ProjectionLock } from '../../src/application/ports/projection-lock.port';
import { type MailConfigEvent } from '../../src/domain/mail-config/mail-config.events';
import { type DatabaseConfig } from '../../src/infrastructure/config/database-config';
import { migrateToLatest } from '../../src/infrastructure/postgres/migrate';
import { createPool } from '../../src/infrastructure/postgres/pool';
import { PostgresAuditIndex } from '../../src/infrastructure/postgres/postgres.audit-index';
import { PostgresProjectionLock } from '../../src/infrastructure/postgres/postgres.projection-lock';
import { PostgresProjectionStore } from '../../src/infrastructure/postgres/postgres.projection-store';
import { PostgresTenantDirectory } from '../../src/infrastructure/postgres/postgres.tenant-directory';
import { InProcessProjectionLock } from '../../src/infrastructure/read-models/in-process.projection-lock';
import { SqliteAuditIndex } from '../../src/infrastructure/read-models/sqlite.audit-index';
import { SqliteProjectionStore } from '../../src/infrastructure/read-models/sqlite.projection-store';
import { SqliteReadModelDatabase } from '../../src/infrastructure/read-models/sqlite.read-model-database';
import { SqliteTenantDirectory } from '../../src/infrastructure/read-models/sqlite.tenant-directory';
import { ReadModelsUnderTest, recorded } from '../application/projections/projection-fixtures';
import { createTestDatabase } from '../support/postgres/database';

/** One fresh, empty read-model storage of an adapter, for the read-model ports' contract suites. */
export interface ReadModelFixture {
  readModels: ReadModelsUnderTest;
  /** Another handle on the same storage: another instance of the service, or the CLI's process. */
  another(): Promise<ReadModelsUnderTest>;
  cleanup(): Promise<void>;
}

export type OpenReadModels = () => Promise<ReadModelFixture>;

/** A stored event of `mailConfig-<tenantId>` as the event store hands it to the projection. */
export function stored(
  tenantId: string,
  version: number,
  position: bigint,
  event: MailConfigEvent | { type: string; data: unknown },
  at?: string,
): StoredEvent {
  return { ...recorded(event, `actor-${tenantId}`, at), streamId: `mailConfig-${tenantId}`, version, position };
}

export const sqliteReadModels: OpenReadModels = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcs-read-models-'));
  const dbs: SqliteReadModelDatabase[] = [];
  const open = () => {
    const db = new SqliteReadModelDatabase(join(dir, 'read-models.db'));
    dbs.push(db);
    return new ReadModelsUnderTest(
      new SqliteProjectionStore(db),
      new SqliteTenantDirectory(db),
      new SqliteAuditIndex(db),
    );
  };
  return {
    readModels: open(),
    another: async () => open(),
    cleanup: async () => {
      for (const db of dbs) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** The test server's database for one suite, migrated; `pgConfig` for the adapters that connect on their own. */
export async function postgresDatabase(prefix: string) {
  const db = await createTestDatabase(prefix);
  const config: DatabaseConfig = { url: db.url, label: db.name, sslMode: 'disable', poolSize: 4 };
  await migrateToLatest(config);
  return { ...db, config };
}

export const postgresReadModels: OpenReadModels = async () => {
  const db = await postgresDatabase('read_models');
  const pools: Pool[] = [];
  const open = () => {
    const pool = createPool(db.config);
    pools.push(pool);
    return new ReadModelsUnderTest(
      new PostgresProjectionStore(pool),
      new PostgresTenantDirectory(pool),
      new PostgresAuditIndex(pool),
    );
  };
  return {
    readModels: open(),
    another: async () => open(),
    cleanup: async () => {
      for (const p of pools) await p.end();
      await db.drop();
    },
  };
};

/** Projection locks of an adapter: each `instance()` is what one instance of the service holds. */
export interface LockFixture {
  instance(): Promise<ProjectionLock>;
  /** Ends the holder's session the way its process dying does; null where one process is all there is. */
  killHolder: ((lock: ProjectionLock) => Promise<void>) | null;
  cleanup(): Promise<void>;
}

export const inProcessLocks = async (): Promise<LockFixture> => {
  const lock = new InProcessProjectionLock();
  return { instance: async () => lock, killHolder: null, cleanup: () => lock.close() };
};

export const postgresLocks = async (): Promise<LockFixture> => {
  const db = await postgresDatabase('locks');
  const locks: PostgresProjectionLock[] = [];
  return {
    instance: async () => locks[locks.push(new PostgresProjectionLock(db.config)) - 1],
    // A killed process's session ends on the server: terminate the holder's backend.
    killHolder: async () => {
      const admin = new Client({ connectionString: db.url });
      await admin.connect();
      try {
        await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_locks
           WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = $1)`,
          [db.name],
        );
      } finally {
        await admin.end();
      }
    },
    cleanup: async () => {
      for (const l of locks) await l.close();
      await db.drop();
    },
  };
};
