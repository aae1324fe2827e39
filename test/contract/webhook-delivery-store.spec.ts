import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseConfig } from '../../src/infrastructure/config/database-config';
import { migrateToLatest } from '../../src/infrastructure/postgres/migrate';
import { createPool } from '../../src/infrastructure/postgres/pool';
import { PostgresWebhookDeliveryStore } from '../../src/infrastructure/postgres/postgres.webhook-delivery-store';
import { SqliteWebhookDeliveryStore } from '../../src/infrastructure/webhooks/sqlite.webhook-delivery-store';
import { createTestDatabase } from '../support/postgres/database';
import { webhookDeliveryStoreContract } from './webhook-delivery-store.contract';

webhookDeliveryStoreContract('sqlite (embedded and single-node shapes)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcs-webhooks-'));
  const stores = [new SqliteWebhookDeliveryStore(join(dir, 'webhooks.db'))];
  return {
    store: stores[0],
    // A second handle on the same file, as a CLI process or a restarted service would open.
    another: async () => stores[stores.push(new SqliteWebhookDeliveryStore(join(dir, 'webhooks.db'))) - 1],
    cleanup: async () => {
      for (const s of stores) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

webhookDeliveryStoreContract('postgres', async () => {
  const db = await createTestDatabase('webhooks');
  const config: DatabaseConfig = { url: db.url, label: db.name, sslMode: 'disable', poolSize: 4 };
  await migrateToLatest(config);
  const pools = [createPool(config)];
  return {
    store: new PostgresWebhookDeliveryStore(pools[0]),
    another: async () => new PostgresWebhookDeliveryStore(pools[pools.push(createPool(config)) - 1]),
    cleanup: async () => {
      for (const p of pools) await p.end();
      await db.drop();
    },
  };
});
