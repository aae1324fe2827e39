import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type DatabaseConfig } from '../../src/infrastructure/config/database-config';
import { SqliteDataKeyStore } from '../../src/infrastructure/crypto/data-key-store';
import { migrateToLatest } from '../../src/infrastructure/postgres/migrate';
import { createPool } from '../../src/infrastructure/postgres/pool';
import { PostgresDataKeyStore } from '../../src/infrastructure/postgres/postgres.data-key-store';
import { createTestDatabase } from '../support/postgres/database';
import { dataKeyStoreContract } from './data-key-store.contract';

dataKeyStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcs-keys-'));
  const file = join(dir, 'keys.db');
  const opened: SqliteDataKeyStore[] = [new SqliteDataKeyStore(file)];
  return {
    store: opened[0],
    another: async () => opened[opened.push(new SqliteDataKeyStore(file)) - 1],
    // keys.db and its -wal/-shm files, byte for byte.
    holds: async (bytes) => readdirSync(dir).some((f) => readFileSync(join(dir, f)).includes(bytes)),
    compact: async () => {},
    cleanup: async () => {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

/** Every page of the data-key tables as PostgreSQL holds it, dead tuples and free space included. */
async function pagesHold(client: Client, bytes: Buffer): Promise<boolean> {
  for (const table of ['data_keys', 'shredded_data_keys']) {
    const { rows } = await client.query<{ page: Buffer }>(
      `SELECT get_raw_page($1::text, n::int) AS page
       FROM generate_series(0, pg_relation_size($1::text::regclass) / current_setting('block_size')::int - 1) AS n`,
      [table],
    );
    if (rows.some((r) => r.page.includes(bytes))) return true;
  }
  return false;
}

async function postgresFixture() {
  const db = await createTestDatabase('keys');
  const config: DatabaseConfig = { url: db.url, label: db.name, sslMode: 'disable', poolSize: 4 };
  await migrateToLatest(config);
  const admin = new Client({ connectionString: db.url });
  await admin.connect();
  await admin.query('CREATE EXTENSION IF NOT EXISTS pageinspect');
  const pools = [createPool(config)];
  return {
    store: new PostgresDataKeyStore(pools[0]),
    another: async () => new PostgresDataKeyStore(pools[pools.push(createPool(config)) - 1]),
    holds: (bytes: Buffer) => pagesHold(admin, bytes),
    // What operators run to remove an erased key's bytes from the table files. VACUUM keeps a
    // deleted row while any transaction that may still see it is open, in any database of the
    // server (snapshots are cluster-wide): wait until every transaction older than now is over.
    compact: async () => {
      const { rows } = await admin.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
      const xmin = async () =>
        BigInt((await admin.query('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x')).rows[0].x);
      for (let i = 0; i < 1500 && (await xmin()) <= BigInt(rows[0].xid); i++)
        await new Promise((r) => setTimeout(r, 20));
      await admin.query('VACUUM (FULL) data_keys');
    },
    cleanup: async () => {
      await admin.end();
      for (const p of pools) await p.end();
      await db.drop();
    },
  };
}

dataKeyStoreContract('postgres', postgresFixture);

describe('erasure on PostgreSQL, before and after VACUUM', () => {
  it('removes the row at once; its bytes stay in the table’s pages until VACUUM (FULL) rewrites the table', async () => {
    const fx = await postgresFixture();
    try {
      const wrapped = Buffer.from(`wrapped-key-bytes-${Date.now()}`.padEnd(60, '!'));
      await fx.store.insertIfAbsent({ tenantId: 'victim', dataKeyId: 'd1', masterKeyId: 'm', wrapped });
      await fx.store.shred('victim', new Date().toISOString());
      expect(await fx.store.get('victim')).toMatchObject({ state: 'shredded' });
      // What MVCC keeps: the deleted tuple, readable by anyone with the data files or a backup.
      expect(await fx.holds(wrapped)).toBe(true);
      await fx.compact();
      expect(await fx.holds(wrapped)).toBe(false);
    } finally {
      await fx.cleanup();
    }
  });
});
