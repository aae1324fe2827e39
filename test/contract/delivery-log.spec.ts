import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeliveryLog } from '../../src/application/ports/delivery-log.port';
import { type DatabaseConfig } from '../../src/infrastructure/config/database-config';
import { SqliteDeliveryLog } from '../../src/infrastructure/delivery-log/sqlite.delivery-log';
import { migrateToLatest } from '../../src/infrastructure/postgres/migrate';
import { createPool } from '../../src/infrastructure/postgres/pool';
import { PostgresDeliveryLog } from '../../src/infrastructure/postgres/postgres.delivery-log';
import { createTestDatabase } from '../support/postgres/database';
import { deliveryLogContract } from './delivery-log.contract';

deliveryLogContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcs-dlog-'));
  const file = join(dir, 'delivery-log.db');
  const opened: DeliveryLog[] = [new SqliteDeliveryLog(file)];
  return {
    log: opened[0],
    another: async () => opened[opened.push(new SqliteDeliveryLog(file)) - 1],
    cleanup: async () => {
      for (const l of opened) await l.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

deliveryLogContract('postgres', async () => {
  const db = await createTestDatabase('dlog');
  const config: DatabaseConfig = { url: db.url, label: db.name, sslMode: 'disable', poolSize: 4 };
  await migrateToLatest(config);
  const pools = [createPool(config)];
  const opened: DeliveryLog[] = [new PostgresDeliveryLog(pools[0])];
  return {
    log: opened[0],
    another: async () => opened[opened.push(new PostgresDeliveryLog(pools[pools.push(createPool(config)) - 1])) - 1],
    cleanup: async () => {
      for (const l of opened) await l.close();
      for (const p of pools) await p.end();
      await db.drop();
    },
  };
});
