import { type AuditIndex } from '../../application/ports/audit-index.port';
import { type ProjectionLock } from '../../application/ports/projection-lock.port';
import { type ProjectionStore } from '../../application/ports/projection-store.port';
import { type TenantDirectory } from '../../application/ports/tenant-directory.port';
import { dataDirPath } from '../data-dir-layout';
import { PostgresAuditIndex } from '../postgres/postgres.audit-index';
import { type PostgresDatabase } from '../postgres/postgres-database';
import { PostgresProjectionLock } from '../postgres/postgres.projection-lock';
import { PostgresProjectionStore } from '../postgres/postgres.projection-store';
import { PostgresTenantDirectory } from '../postgres/postgres.tenant-directory';
import { InProcessProjectionLock } from './in-process.projection-lock';
import { SqliteAuditIndex } from './sqlite.audit-index';
import { SqliteProjectionStore } from './sqlite.projection-store';
import { SqliteReadModelDatabase } from './sqlite.read-model-database';
import { SqliteTenantDirectory } from './sqlite.tenant-directory';

/** The read models' ports over one storage, and how to let go of it. */
export interface ReadModelAdapters {
  projections: ProjectionStore;
  directory: TenantDirectory;
  audit: AuditIndex;
  lock: ProjectionLock;
  close(): Promise<void>;
}

/**
 * The shared tables when the instance has the replicated shape's database — nothing in DATA_DIR
 * then — else one SQLite file in DATA_DIR, opened only here.
 */
export function openReadModels(dataDir: string, database: PostgresDatabase | null): ReadModelAdapters {
  if (database) {
    const lock = new PostgresProjectionLock(database.config);
    return {
      projections: new PostgresProjectionStore(database.pool),
      directory: new PostgresTenantDirectory(database.pool),
      audit: new PostgresAuditIndex(database.pool),
      lock,
      // The pool is the PostgresDatabase's; the lock's own connection is ours to end.
      close: () => lock.close(),
    };
  }
  const db = new SqliteReadModelDatabase(dataDirPath(dataDir, 'readModels'));
  const lock = new InProcessProjectionLock();
  return {
    projections: new SqliteProjectionStore(db),
    directory: new SqliteTenantDirectory(db),
    audit: new SqliteAuditIndex(db),
    lock,
    close: async () => {
      await lock.close();
      db.close();
    },
  };
}
