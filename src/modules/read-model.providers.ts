import { APP_CONFIG, type AppConfig } from '../application/app-config';
import { AUDIT_INDEX } from '../application/ports/audit-index.port';
import { PROJECTION_LOCK } from '../application/ports/projection-lock.port';
import { PROJECTION_STORE } from '../application/ports/projection-store.port';
import { TENANT_DIRECTORY } from '../application/ports/tenant-directory.port';
import { type PostgresDatabase } from '../infrastructure/postgres/postgres-database';
import { openReadModels, type ReadModelAdapters } from '../infrastructure/read-models/read-model-adapters';
import { POSTGRES_DATABASE } from './core.module';

/** The read models' adapters of this instance (SQLite in DATA_DIR, or the shared PostgreSQL tables). */
export const READ_MODELS = Symbol('READ_MODELS');

/** The read-model ports over the instance's storage, for the projections module and the CLI. */
export const READ_MODEL_PROVIDERS = [
  {
    provide: READ_MODELS,
    useFactory: (config: AppConfig, database: PostgresDatabase | null) => openReadModels(config.dataDir, database),
    inject: [APP_CONFIG, POSTGRES_DATABASE],
  },
  { provide: PROJECTION_STORE, useFactory: (r: ReadModelAdapters) => r.projections, inject: [READ_MODELS] },
  { provide: TENANT_DIRECTORY, useFactory: (r: ReadModelAdapters) => r.directory, inject: [READ_MODELS] },
  { provide: AUDIT_INDEX, useFactory: (r: ReadModelAdapters) => r.audit, inject: [READ_MODELS] },
  { provide: PROJECTION_LOCK, useFactory: (r: ReadModelAdapters) => r.lock, inject: [READ_MODELS] },
];
