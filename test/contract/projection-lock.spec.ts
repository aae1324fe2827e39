import { projectionLockContract } from './projection-lock.contract';
import { inProcessLocks, postgresLocks } from './read-models.fixture';

projectionLockContract('in-process', inProcessLocks);
projectionLockContract('postgres', postgresLocks);
