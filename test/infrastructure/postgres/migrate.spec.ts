import { type Kysely, type Migration, sql } from 'kysely';
import { Client } from 'pg';
import { type DatabaseConfig } from '../../../src/infrastructure/config/database-config';
import { migrateToLatest } from '../../../src/infrastructure/postgres/migrate';
import { MIGRATIONS } from '../../../src/infrastructure/postgres/migrations';
import { createTestDatabase, type TestDatabase } from '../../support/postgres/database';

const configFor = (db: TestDatabase): DatabaseConfig => ({
  url: db.url,
  label: db.name,
  sslMode: 'disable',
  poolSize: 2,
});

async function rows<T>(url: string, text: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('schema migrations at start-up', () => {
  const databases: TestDatabase[] = [];
  const fresh = async () => {
    const db = await createTestDatabase('migrate');
    databases.push(db);
    return db;
  };
  afterAll(async () => {
    for (const db of databases) await db.drop();
  });

  it('apply every migration once when three instances start at the same moment on a fresh database', async () => {
    const db = await fresh();
    const outcomes = await Promise.all([1, 2, 3].map(() => migrateToLatest(configFor(db))));
    const names = Object.keys(MIGRATIONS);
    // One of them applied everything; the others waited for the lock and found nothing to do.
    expect(outcomes.map((o) => o.applied).sort((a, b) => b.length - a.length)).toEqual([names, [], []]);
    expect(
      (await rows<{ name: string }>(db.url, 'SELECT name FROM kysely_migration ORDER BY name')).map((r) => r.name),
    ).toEqual(names);
    expect(await rows(db.url, "SELECT to_regclass('data_keys') IS NOT NULL AS ok")).toEqual([{ ok: true }]);
    // A later start has nothing left to do.
    expect(await migrateToLatest(configFor(db))).toEqual({ applied: [] });
  });

  it('serialise on one advisory lock: while one migrates, the others wait for it', async () => {
    const db = await fresh();
    const slow: Record<string, Migration> = {
      '0001-slow': {
        up: async (k: Kysely<unknown>) => {
          await sql`CREATE TABLE slow_once (id int)`.execute(k);
          await sql`SELECT pg_sleep(1.5)`.execute(k);
        },
      },
    };
    const running = Promise.all([1, 2, 3].map(() => migrateToLatest(configFor(db), slow)));
    let locks: Array<{ granted: boolean }> = [];
    for (let i = 0; i < 100 && locks.filter((l) => !l.granted).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      locks = await rows(
        db.url,
        `SELECT granted FROM pg_locks JOIN pg_database d ON d.oid = pg_locks.database
         WHERE locktype = 'advisory' AND d.datname = current_database() ORDER BY granted DESC`,
      );
    }
    expect(locks).toEqual([{ granted: true }, { granted: false }, { granted: false }]);
    const outcomes = await running;
    // Without the lock two of them would have run CREATE TABLE and one would have failed.
    expect(outcomes.map((o) => o.applied.length).sort()).toEqual([0, 0, 1]);
  });

  it('stops start-up naming the migration that failed', async () => {
    const db = await fresh();
    const broken: Record<string, Migration> = {
      '0001-broken': { up: async (k: Kysely<unknown>) => void (await sql`CREATE TABLE nope (`.execute(k)) },
    };
    await expect(migrateToLatest(configFor(db), broken)).rejects.toThrow(
      /^database migration 0001-broken failed: syntax error/,
    );
  });
});
