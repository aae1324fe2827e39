import { projectionStoreContract } from './projection-store.contract';
import { postgresReadModels, sqliteReadModels } from './read-models.fixture';

projectionStoreContract('sqlite', sqliteReadModels);
projectionStoreContract('postgres', postgresReadModels);
