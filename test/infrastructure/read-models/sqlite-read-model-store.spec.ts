import { evolveTenantRecord } from '../../../src/application/projections/tenant-record';
import { provisioned, Sandbox } from '../../application/projections/projection-fixtures';

describe('SQLite read-model store', () => {
  let sandbox: Sandbox;
  beforeEach(() => (sandbox = new Sandbox()));
  afterEach(() => sandbox.cleanup());

  const record = (tenantId: string, username: string) =>
    evolveTenantRecord(null, tenantId, provisioned(tenantId, username), {
      version: 1,
      at: '2026-11-26T10:00:00Z',
      actor: 'a',
    });

  it('commits a read-model change and its checkpoint together, or neither', () => {
    const store = sandbox.readModels();
    expect(() =>
      store.transaction((tx) => {
        tx.putTenant(record('acme', 'acme'));
        tx.advance(5n);
        throw new Error('crash between the row and the checkpoint');
      }),
    ).toThrow('crash');
    expect(store.checkpoint().position).toBe(0n);
    expect(store.tenants({ limit: 10 })).toEqual([]);

    store.transaction((tx) => {
      tx.putTenant(record('acme', 'acme'));
      tx.advance(5n);
    });
    const reopened = sandbox.readModels();
    expect(reopened.checkpoint().position).toBe(5n);
    expect(reopened.tenants({ limit: 10 }).map((t) => t.tenantId)).toEqual(['acme']);
  });

  it('searches tenant id, username and sender case-insensitively, treating % and _ literally', () => {
    const store = sandbox.readModels();
    store.transaction((tx) => {
      tx.putTenant(record('t-1', 'acme'));
      tx.putTenant(record('t-2', 'beta_co'));
      tx.putTenant(record('T-3', 'gamma'));
    });
    const ids = (q: string) => store.tenants({ limit: 10, q }).map((t) => t.tenantId);
    expect(ids('ACME')).toEqual(['t-1']);
    expect(ids('support.gamma@')).toEqual(['T-3']);
    expect(ids('t-')).toEqual(['T-3', 't-1', 't-2']);
    expect(ids('a_c')).toEqual(['t-2']);
    expect(ids('%')).toEqual([]);
    expect(ids('m_i')).toEqual([]); // as a wildcard, _ would match "mai" in every sender
    expect(store.tenants({ limit: 10, afterTenantId: 't-1' }).map((t) => t.tenantId)).toEqual(['t-2']);
  });

  it('starts a new generation on reset', () => {
    const store = sandbox.readModels();
    const before = store.checkpoint();
    store.transaction((tx) => tx.advance(9n));
    expect(store.reset()).toEqual({ position: 0n, generation: before.generation + 1 });
  });
});
