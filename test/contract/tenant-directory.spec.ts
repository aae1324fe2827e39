import { tenantDirectoryContract } from './tenant-directory.contract';
import { postgresReadModels, sqliteReadModels } from './read-models.fixture';

tenantDirectoryContract('sqlite', sqliteReadModels);
tenantDirectoryContract('postgres', postgresReadModels);
