import { auditIndexContract } from './audit-index.contract';
import { postgresReadModels, sqliteReadModels } from './read-models.fixture';

auditIndexContract('sqlite', sqliteReadModels);
auditIndexContract('postgres', postgresReadModels);
