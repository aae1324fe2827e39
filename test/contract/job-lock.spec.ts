import { type DatabaseConfig } from '../../src/infrastructure/config/database-config';
import { InProcessJobLock } from '../../src/infrastructure/jobs/in-process.job-lock';
import { migrateToLatest } from '../../src/infrastructure/postgres/migrate';
import { createPool } from '../../src/infrastructure/postgres/pool';
import { PostgresJobLock } from '../../src/infrastructure/postgres/postgres.job-lock';
import { createTestDatabase } from '../support/postgres/database';
import { jobLockContract } from './job-lock.contract';

jobLockContract('in process (embedded and single-node shapes)', async () => {
  let offset = 0;
  const lock = new InProcessJobLock(() => Date.now() + offset);
  return {
    lock,
    another: async () => lock,
    elapse: async (ms) => void (offset += ms),
    instancesDieApart: false,
    leaseMs: 0,
    cleanup: async () => {},
  };
});

jobLockContract('postgres', async () => {
  const db = await createTestDatabase('jobs');
  const config: DatabaseConfig = { url: db.url, label: db.name, sslMode: 'disable', poolSize: 4 };
  await migrateToLatest(config);
  const leaseMs = 300;
  const pools = [createPool(config)];
  const locks = [new PostgresJobLock(pools[0], leaseMs)];
  return {
    lock: locks[0],
    another: async () => locks[locks.push(new PostgresJobLock(pools[pools.push(createPool(config)) - 1], leaseMs)) - 1],
    elapse: async (ms) => {
      await pools[0].query(`UPDATE job_locks SET last_started_at = last_started_at - $1 * interval '1 millisecond'`, [
        ms,
      ]);
    },
    instancesDieApart: true,
    leaseMs,
    cleanup: async () => {
      for (const l of locks) await l.close();
      for (const p of pools) await p.end();
      await db.drop();
    },
  };
});
