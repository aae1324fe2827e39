import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TenantRecord } from '../../src/application/ports/read-model.port';
import { type TenantDirectory } from '../../src/application/ports/tenant-directory.port';
import { type DatabaseConfig } from '../../src/infrastructure/config/database-config';
import { migrateToLatest } from '../../src/infrastructure/postgres/migrate';
import { MIGRATIONS } from '../../src/infrastructure/postgres/migrations';
import { createPool } from '../../src/infrastructure/postgres/pool';
import { PostgresTenantDirectory } from '../../src/infrastructure/postgres/postgres.tenant-directory';
import { READ_MODEL_SCHEMA } from '../../src/infrastructure/read-models/read-model.schema';
import { SqliteReadModelDatabase } from '../../src/infrastructure/read-models/sqlite.read-model-database';
import { SqliteTenantDirectory } from '../../src/infrastructure/read-models/sqlite.tenant-directory';
import { createTestDatabase } from '../support/postgres/database';

/** A row as the version before the support panel projected it: no details, no accounts, old smtpFailing. */
const legacy = (tenantId: string, mode: 'default' | 'smtp'): Omit<TenantRecord, 'reason'> => ({
  tenantId,
  username: tenantId,
  mode,
  sender: mode === 'smtp' ? 'help@acme.example' : `support.${tenantId}@smemetrics-email.com`,
  status: 'needs_attention',
  attention: 'smtp_test_failed',
  lastChangeAt: '2026-11-26T10:00:00.000Z',
  lastChangeBy: 'ana@acme.example',
  defaultAddress: `support.${tenantId}@smemetrics-email.com`,
  gmailAccount: mode === 'default' ? 'Old.Owner@gmail.example' : null,
  smtpAddress: 'help@acme.example',
  gmailRevokedAtGoogle: false,
  smtpTestFailed: true,
  sendFailingMode: null,
  smtpFailing: true,
  version: 4,
});
const searchOf = (r: Omit<TenantRecord, 'reason'>) => [r.tenantId, r.username, r.sender].join('\n').toLowerCase();

async function expectUpgraded(directory: TenantDirectory): Promise<void> {
  // Only the tenant in SMTP mode is "SMTP failing" now; the other one's failure was a draft.
  expect((await directory.counts()).smtpFailing).toBe(1);
  expect((await directory.tenants({ limit: 10, q: 'old.owner@GMAIL' })).map((t) => t.tenantId)).toEqual(['draft']);
  expect(await directory.tenant('draft')).toMatchObject({
    details: null,
    reason: 'SMTP draft (not in use) failed its test',
  });
}

describe('read models projected by an earlier version, brought to the dashboard rules without a rebuild', () => {
  it('SQLite: upgraded when the file is opened (user_version 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcs-upgrade-'));
    try {
      const file = join(dir, 'read-models.db');
      const old = new Database(file);
      old.exec(READ_MODEL_SCHEMA);
      const insert = old.prepare(
        `INSERT INTO tenants (tenant_id, mode, status, gmail_revoked, smtp_failing, search, record)
         VALUES (?, ?, 'needs_attention', 0, 1, ?, ?)`,
      );
      for (const r of [legacy('draft', 'default'), legacy('live', 'smtp')])
        insert.run(r.tenantId, r.mode, searchOf(r), JSON.stringify(r));
      old.close();

      const db = new SqliteReadModelDatabase(file);
      try {
        await expectUpgraded(new SqliteTenantDirectory(db));
        expect(db.db.pragma('user_version', { simple: true })).toBe(1);
      } finally {
        db.close();
      }
      // Opening again changes nothing more.
      const again = new SqliteReadModelDatabase(file);
      try {
        await expectUpgraded(new SqliteTenantDirectory(again));
      } finally {
        again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL: upgraded by migration 0021-dashboard-support', async () => {
    const db = await createTestDatabase('upgrade');
    const config: DatabaseConfig = { url: db.url, label: db.name, sslMode: 'disable', poolSize: 2 };
    const before = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name < '0021'));
    await migrateToLatest(config, before);
    const pool = createPool(config);
    try {
      for (const r of [legacy('draft', 'default'), legacy('live', 'smtp')])
        await pool.query(
          `INSERT INTO read_model_tenants (tenant_id, mode, status, gmail_revoked, smtp_failing, search, record)
           VALUES ($1, $2, 'needs_attention', false, true, $3, $4)`,
          [r.tenantId, r.mode, searchOf(r), JSON.stringify(r)],
        );
      // Every later migration runs too; 0021 is the one that upgrades these rows.
      expect((await migrateToLatest(config)).applied).toContain('0021-dashboard-support');
      await expectUpgraded(new PostgresTenantDirectory(pool));
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
