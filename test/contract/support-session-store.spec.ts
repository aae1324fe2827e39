import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseConfig } from '../../src/infrastructure/config/database-config';
import { migrateToLatest } from '../../src/infrastructure/postgres/migrate';
import { MIGRATIONS } from '../../src/infrastructure/postgres/migrations';
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

describe('support session store: a sqlite file from before the idle timeout', () => {
  it('gains the new columns; its sessions read as last used when created, token ones unbound', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcs-sessions-'));
    const file = join(dir, 'support-sessions.db');
    try {
      const old = new Database(file);
      old.exec(`CREATE TABLE support_sessions (id_hash TEXT PRIMARY KEY, identity TEXT NOT NULL, method TEXT NOT NULL,
        created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked_at INTEGER)`);
      old
        .prepare('INSERT INTO support_sessions VALUES (?, ?, ?, ?, ?, NULL)')
        .run('h1', 'support token', 'token', Date.parse('2026-12-03T09:00:00Z'), Date.parse('2026-12-03T17:00:00Z'));
      old.close();
      const store = new SqliteSupportSessionStore(file);
      try {
        expect(await store.find('h1', new Date('2026-12-03T10:00:00Z'))).toMatchObject({
          lastUsedAt: new Date('2026-12-03T09:00:00Z'),
          tokenFingerprint: null,
        });
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('support session store: a postgres database from before migration 0023', () => {
  it('keeps its sessions, read as last used when created; token ones unbound', async () => {
    const db = await createTestDatabase('sessions-upgrade');
    const config: DatabaseConfig = { url: db.url, label: db.name, sslMode: 'disable', poolSize: 2 };
    const pool = createPool(config);
    try {
      await migrateToLatest(
        config,
        Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name <= '0022-support-sessions')),
      );
      // As an instance of the previous version writes it, also while a rolling upgrade is under way.
      const insert = `INSERT INTO support_sessions (id_hash, identity, method, created_at, expires_at)
                      VALUES ($1, 'support token', 'token', '2026-12-03T09:00:00Z', '2026-12-03T17:00:00Z')`;
      await pool.query(insert, ['h1']);
      await migrateToLatest(config);
      await pool.query(insert, ['h2']);
      const store = new PostgresSupportSessionStore(pool);
      for (const h of ['h1', 'h2']) {
        expect(await store.find(h, new Date('2026-12-03T10:00:00Z'))).toMatchObject({
          lastUsedAt: new Date('2026-12-03T09:00:00Z'),
          tokenFingerprint: null,
        });
      }
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
