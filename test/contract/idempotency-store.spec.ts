import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IdempotencyStore } from '../../src/application/ports/idempotency.port';
import { type DatabaseConfig } from '../../src/infrastructure/config/database-config';
import { SqliteIdempotencyStore } from '../../src/infrastructure/idempotency/sqlite-idempotency.store';
import { migrateToLatest } from '../../src/infrastructure/postgres/migrate';
import { createPool } from '../../src/infrastructure/postgres/pool';
import { PostgresIdempotencyStore } from '../../src/infrastructure/postgres/postgres.idempotency-store';
import { createTestDatabase } from '../support/postgres/database';
import { idempotencyStoreContract } from './idempotency-store.contract';

idempotencyStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcs-idem-'));
  const file = join(dir, 'idempotency.db');
  let offset = 0;
  const open = () => new SqliteIdempotencyStore(file, { now: () => Date.now() + offset });
  const opened: IdempotencyStore[] = [open()];
  return {
    store: opened[0],
    another: async () => opened[opened.push(open()) - 1],
    elapse: async (ms) => void (offset += ms),
    leaseMs: 0,
    cleanup: async () => {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

idempotencyStoreContract('postgres', async () => {
  const db = await createTestDatabase('idem');
  const config: DatabaseConfig = { url: db.url, label: db.name, sslMode: 'disable', poolSize: 4 };
  await migrateToLatest(config);
  const leaseMs = 300;
  // Each store its own pool, as each instance has.
  const pools = [createPool(config)];
  const open = () => new PostgresIdempotencyStore(pools[pools.push(createPool(config)) - 1], { leaseMs });
  const opened: IdempotencyStore[] = [new PostgresIdempotencyStore(pools[0], { leaseMs })];
  return {
    store: opened[0],
    another: async () => opened[opened.push(open()) - 1],
    elapse: async (ms) => {
      await pools[0].query(
        `UPDATE idempotency_records SET created_at = created_at - $1 * interval '1 millisecond',
                lease_expires_at = lease_expires_at - $1 * interval '1 millisecond'`,
        [ms],
      );
    },
    leaseMs,
    cleanup: async () => {
      for (const s of opened) await s.close();
      for (const p of pools) await p.end();
      await db.drop();
    },
  };
});
