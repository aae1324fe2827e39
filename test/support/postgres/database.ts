import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { COORDINATOR_VARIABLE } from './server';

export interface TestDatabase {
  /** postgres:// URL of a database of its own, as DATABASE_URL takes it. */
  url: string;
  name: string;
  /** The server's data directory (tests that look at what is left on disk). */
  serverDataDir: string;
  /** Drops the database, ending any connection still open on it. */
  drop(): Promise<void>;
}

async function server(): Promise<{ adminUrl: string; dataDir: string }> {
  const coordinator = process.env[COORDINATOR_VARIABLE];
  if (!coordinator) {
    throw new Error(
      `${COORDINATOR_VARIABLE} is not set: run through jest.config.js (its globalSetup starts PostgreSQL)`,
    );
  }
  const res = await fetch(coordinator);
  if (!res.ok) throw new Error(await res.text());
  return (await res.json()) as { adminUrl: string; dataDir: string };
}

async function asAdmin(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database on the run's test PostgreSQL server (started on first use), for one
 * suite: create it in beforeAll, drop it in afterAll.
 */
export async function createTestDatabase(prefix = 'mcs'): Promise<TestDatabase> {
  const { adminUrl, dataDir } = await server();
  const name = `${prefix.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(6).toString('hex')}`;
  await asAdmin(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    serverDataDir: dataDir,
    drop: () => asAdmin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
