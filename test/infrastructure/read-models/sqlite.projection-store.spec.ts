import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TenantRecord } from '../../../src/application/ports/read-model.port';
import { applyEvents } from '../../../src/application/projections/mail-config.projection';
import { SqliteProjectionStore } from '../../../src/infrastructure/read-models/sqlite.projection-store';
import { SqliteReadModelDatabase } from '../../../src/infrastructure/read-models/sqlite.read-model-database';
import { provisioned, smtpConfigured, smtpTested } from '../../application/projections/projection-fixtures';
import { stored } from '../../contract/read-models.fixture';

describe('sqlite projection store: cached tenant records', () => {
  let dir: string;
  const databases: SqliteReadModelDatabase[] = [];
  /** One instance of the service (or the CLI) on the shared read-model file. */
  const instance = (cacheSize?: number) => {
    const db = new SqliteReadModelDatabase(join(dir, 'read-models.db'));
    databases.push(db);
    return new SqliteProjectionStore(db, cacheSize);
  };
  /** The record the next batch would be decided on, as the store hands it to the plan. */
  const seen = (store: SqliteProjectionStore, tenantId: string) =>
    store.apply([tenantId], (view) => ({ changes: null, result: view.tenants.get(tenantId) ?? null }));
  const generation = async (store: SqliteProjectionStore) => (await store.checkpoint()).generation;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcs-projection-cache-'));
  });
  afterEach(() => {
    for (const db of databases.splice(0)) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decides the next batch on the records it wrote without reading them back', async () => {
    const store = instance();
    const g = await generation(store);
    await applyEvents(store, [stored('t1', 1, 1n, provisioned('t1', 'one'))], g);
    const before = store.stats.recordsRead;
    await applyEvents(store, [stored('t1', 2, 2n, smtpConfigured('a@t1.example'))], g);
    await applyEvents(store, [stored('t1', 3, 3n, smtpTested(false))], g);
    expect(store.stats.recordsRead).toBe(before);
    const fresh = instance();
    expect(await seen(store, 't1')).toEqual(await seen(fresh, 't1'));
    expect(((await seen(fresh, 't1')) as TenantRecord).version).toBe(3);
  });

  it('keeps no stale record across a reset or a rebuild by another process', async () => {
    const store = instance();
    const g = await generation(store);
    await applyEvents(store, [stored('t1', 1, 1n, provisioned('t1', 'first'))], g);
    expect(await seen(store, 't1')).toMatchObject({ username: 'first' });

    // Another process rebuilds from a different history (another store behind the same read models).
    const rebuild = instance();
    await rebuild.reset();
    await applyEvents(rebuild, [stored('t1', 1, 1n, provisioned('t1', 'second'))], g + 1);
    expect(await seen(store, 't1')).toMatchObject({ username: 'second', version: 1 });

    await store.reset();
    expect(await seen(store, 't1')).toBeNull();
  });

  it('sees what another instance projected after a failover in the same generation', async () => {
    const store = instance();
    const g = await generation(store);
    await applyEvents(store, [stored('t1', 1, 1n, provisioned('t1', 'one'))], g);
    expect(await seen(store, 't1')).toMatchObject({ version: 1 });
    const other = instance();
    await applyEvents(other, [stored('t1', 2, 2n, smtpConfigured('a@t1.example'))], g);
    const outcomes = await applyEvents(store, [stored('t1', 3, 3n, smtpTested(false))], g);
    expect(outcomes).toEqual(['applied']);
    const record = (await seen(instance(), 't1')) as TenantRecord;
    expect(record).toMatchObject({ version: 3, smtpAddress: 'a@t1.example', smtpTestFailed: true });
  });

  it('leaves the cache as the database is after a batch that fails', async () => {
    const store = instance();
    const g = await generation(store);
    await applyEvents(store, [stored('t1', 1, 1n, provisioned('t1', 'one'))], g);
    const committed = await seen(store, 't1');
    // The plan decided t1's next record, but writing the batch fails (a NOT NULL column): rolled back.
    await expect(
      store.apply(['t1'], (view) => {
        const next = { ...view.tenants.get('t1')!, username: 'never', version: 2 };
        const broken = { ...next, tenantId: 't2', mode: null } as unknown as TenantRecord;
        return { changes: { tenants: [next, broken], audit: [], skipped: [], position: 2n }, result: null };
      }),
      // Matched by shape: the SQLite error class may come from another test file's module registry.
    ).rejects.toMatchObject({ message: expect.stringMatching(/NOT NULL/) });
    expect(await seen(store, 't1')).toEqual(committed);
    expect(await seen(instance(), 't1')).toEqual(committed);
    expect(await seen(store, 't2')).toBeNull();
  });

  it('keeps at most its size of records, and reads the others back', async () => {
    const store = instance(2);
    const g = await generation(store);
    const events = ['a', 'b', 'c'].map((t, i) => stored(t, 1, BigInt(i + 1), provisioned(t, t)));
    await applyEvents(store, events, g);
    expect(store.stats.cached).toBe(2);
    const before = store.stats.recordsRead;
    expect(await seen(store, 'a')).toMatchObject({ tenantId: 'a', username: 'a' });
    expect(store.stats.recordsRead).toBe(before + 1);
  });
});
