import { InMemorySendFailureCounter } from '../../src/application/sending/in-memory-send-failure-counter';
import { type DatabaseConfig } from '../../src/infrastructure/config/database-config';
import { migrateToLatest } from '../../src/infrastructure/postgres/migrate';
import { createPool } from '../../src/infrastructure/postgres/pool';
import { PostgresSendFailureCounter } from '../../src/infrastructure/postgres/postgres.send-failure-counter';
import { createTestDatabase } from '../support/postgres/database';
import { sendFailureCounterContract } from './send-failure-counter.contract';

sendFailureCounterContract('in memory (one instance)', async () => {
  const counter = new InMemorySendFailureCounter();
  return { counter, another: async () => counter, cleanup: async () => {} };
});

sendFailureCounterContract('postgres', async () => {
  const db = await createTestDatabase('failures');
  const config: DatabaseConfig = { url: db.url, label: db.name, sslMode: 'disable', poolSize: 4 };
  await migrateToLatest(config);
  const pools = [createPool(config)];
  return {
    counter: new PostgresSendFailureCounter(pools[0]),
    another: async () => new PostgresSendFailureCounter(pools[pools.push(createPool(config)) - 1]),
    cleanup: async () => {
      for (const p of pools) await p.end();
      await db.drop();
    },
  };
});
