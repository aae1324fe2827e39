import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseConfig } from '../../src/infrastructure/config/database-config';
import { migrateToLatest } from '../../src/infrastructure/postgres/migrate';
import { createPool } from '../../src/infrastructure/postgres/pool';
import { PostgresSupportSessionStore } from '../../src/infrastructure/postgres/postgres.support-session.store';
import { SqliteSupportSessionStore } from '../../src/infrastructure/support-sessions/sqlite.support-session.store';
import { createTestDatabase } from '../support/postgres/database';
import { supportSessionStoreContract } from './support-session-store.contract';

supportSessionStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcs-sessions-'));
  const file = join(dir, 'support-sessions.db');
  const opened = [new SqliteSupportSessionStore(file)];
  return {
    store: opened[0],
    another: async () => opened[opened.push(new SqliteSupportSessionStore(file)) - 1],
    cleanup: async () => {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

supportSessionStoreContract('postgres', async () => {
  const db = await createTestDatabase('sessions');
  const config: DatabaseConfig = { url: db.url, label: db.name, sslMode: 'disable', poolSize: 2 };
  await migrateToLatest(config);
  const pools = [createPool(config)];
  return {
    store: new PostgresSupportSessionStore(pools[0]),
    another: async () => new PostgresSupportSessionStore(pools[pools.push(createPool(config)) - 1]),
    cleanup: async () => {
      for (const p of pools) await p.end();
      await db.drop();
    },
  };
});
