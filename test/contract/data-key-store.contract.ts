import { randomBytes, randomUUID } from 'node:crypto';
import { CredentialUnavailableError } from '../../src/application/ports/cipher.port';
import { type DataKeyStore, type WrappedDataKey } from '../../src/application/ports/data-key-store.port';
import { EnvelopeCipher } from '../../src/infrastructure/crypto/envelope.cipher';
import { MasterKeyRing } from '../../src/infrastructure/crypto/key-ring';

/** One fresh, empty store of an adapter, with what the contract needs to look behind it. */
export interface DataKeyStoreFixture {
  store: DataKeyStore;
  /** Another handle on the same storage: another instance of the service, or another process. */
  another(): Promise<DataKeyStore>;
  /** Whether these bytes are still anywhere the adapter keeps data (files, table pages). */
  holds(bytes: Buffer): Promise<boolean>;
  /** What an operator does to reclaim erased rows' space (README); nothing where erasure does it. */
  compact(): Promise<void>;
  cleanup(): Promise<void>;
}

const tenant = (prefix = 't') => `${prefix}-${randomUUID().slice(0, 8)}`;
const key = (tenantId: string, masterKeyId = 'old'): WrappedDataKey => ({
  tenantId,
  dataKeyId: randomUUID(),
  masterKeyId,
  wrapped: randomBytes(60),
});
const OLD = randomBytes(32);
const NEW = randomBytes(32);
const ring = (...ids: Array<'old' | 'new'>) =>
  new MasterKeyRing(new Map(ids.map((id) => [id, id === 'old' ? OLD : NEW])), ids.at(-1)!);

export function dataKeyStoreContract(name: string, open: () => Promise<DataKeyStoreFixture>): void {
  describe(`data key store contract: ${name}`, () => {
    let fx: DataKeyStoreFixture;
    let store: DataKeyStore;
    beforeEach(async () => {
      fx = await open();
      store = fx.store;
    });
    afterEach(() => fx.cleanup());

    it('knows nothing of a tenant it has no record of', async () => {
      expect(await store.get(tenant())).toBeUndefined();
    });

    it('stores a wrapped key and gives back the same bytes', async () => {
      const k = key(tenant());
      expect(await store.insertIfAbsent(k)).toEqual({ state: 'active', key: k });
      expect(await store.get(k.tenantId)).toEqual({ state: 'active', key: k });
    });

    it('keeps the first key when instances race to create one for the same tenant', async () => {
      const other = await fx.another();
      const t = tenant();
      const candidates = Array.from({ length: 8 }, () => key(t));
      const answers = await Promise.all(candidates.map((k, i) => (i % 2 ? other : store).insertIfAbsent(k)));
      const winner = (await store.get(t))!;
      expect(candidates).toContainEqual(winner.state === 'active' && winner.key);
      expect(answers).toEqual(candidates.map(() => winner));
      expect(await other.get(t)).toEqual(winner);
      await other.close();
    });

    it('re-wraps a key only when it is still the one and still wrapped by the master key given', async () => {
      const k = key(tenant(), 'old');
      await store.insertIfAbsent(k);
      const rewrapped = { ...k, masterKeyId: 'new', wrapped: randomBytes(60) };
      expect(await store.rewrap({ ...rewrapped, dataKeyId: randomUUID() }, 'old')).toBe(false);
      expect(await store.rewrap(rewrapped, 'other')).toBe(false);
      expect(await store.get(k.tenantId)).toEqual({ state: 'active', key: k });
      expect(await store.rewrap(rewrapped, 'old')).toBe(true);
      expect(await store.get(k.tenantId)).toEqual({ state: 'active', key: rewrapped });
      // A second rotation run computed from the old wrapping finds it changed and leaves it.
      expect(await store.rewrap({ ...rewrapped, wrapped: randomBytes(60) }, 'old')).toBe(false);
      expect(await store.get(k.tenantId)).toEqual({ state: 'active', key: rewrapped });
    });

    it('shreds a tenant for good: the key is gone, the fact stays, and no key is ever stored again', async () => {
      const k = key(tenant());
      const neighbour = key(tenant());
      await store.insertIfAbsent(k);
      await store.insertIfAbsent(neighbour);
      const at = '2026-01-02T03:04:05.000Z';
      await store.shred(k.tenantId, at);
      const shredded = { state: 'shredded', tenantId: k.tenantId, shreddedAt: at };
      expect(await store.get(k.tenantId)).toEqual(shredded);
      expect(await store.insertIfAbsent(key(k.tenantId))).toEqual(shredded);
      expect(await store.rewrap({ ...k, masterKeyId: 'new' }, 'old')).toBe(false);
      await store.shred(k.tenantId, '2027-01-01T00:00:00.000Z');
      expect(await store.get(k.tenantId)).toEqual(shredded);
      expect(await store.get(neighbour.tenantId)).toEqual({ state: 'active', key: neighbour });
      // A tenant erased before it ever had a key gets none afterwards either.
      const never = tenant();
      await store.shred(never, at);
      expect(await store.insertIfAbsent(key(never))).toMatchObject({ state: 'shredded' });
    });

    it('lists and counts, page by page, the keys rotation still has to re-wrap', async () => {
      const byOld = Array.from({ length: 5 }, (_, i) => key(`p${i}-${randomUUID().slice(0, 4)}`, 'old'));
      const byNew = [key(tenant(), 'new'), key(tenant(), 'new')];
      for (const k of [...byOld, ...byNew]) await store.insertIfAbsent(k);
      await store.insertIfAbsent(key('p9-shredded', 'old'));
      await store.shred('p9-shredded', new Date().toISOString());
      expect(await store.countWrappedByOtherThan('new')).toBe(5);
      const pages: WrappedDataKey[][] = [];
      let afterTenantId: string | undefined;
      for (;;) {
        const page = await store.wrappedByOtherThan('new', { afterTenantId, limit: 2 });
        if (page.length === 0) break;
        pages.push(page);
        afterTenantId = page.at(-1)!.tenantId;
      }
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual([...byOld].sort((a, b) => (a.tenantId < b.tenantId ? -1 : 1)));
    });

    it('leaves nothing from which an erased tenant’s key can be recovered, and its neighbours’ keys intact', async () => {
      const victim = key(tenant('victim'));
      const neighbour = key(tenant('neighbour'));
      await store.insertIfAbsent(victim);
      await store.insertIfAbsent(neighbour);
      await store.shred(victim.tenantId, new Date().toISOString());
      await fx.compact();
      expect(await fx.holds(victim.wrapped)).toBe(false);
      // The probe finds key bytes where they are: its "false" above is not a blind spot.
      expect(await fx.holds(neighbour.wrapped)).toBe(true);
    });

    describe('under the envelope cipher', () => {
      const ctx = (tenantId: string) => ({ tenantId, field: 'smtp.password' });

      it('opens on every instance what one instance sealed, and an erasure through one holds on all at once', async () => {
        const other = await fx.another();
        const a = new EnvelopeCipher(ring('old'), store, { cacheDataKeys: false });
        const b = new EnvelopeCipher(ring('old'), other, { cacheDataKeys: false });
        const t = tenant();
        const sealed = await a.encrypt('s3cret', ctx(t));
        expect(await b.decrypt(sealed, ctx(t))).toBe('s3cret');
        await a.shred(t);
        await expect(b.decrypt(sealed, ctx(t))).rejects.toEqual(
          new CredentialUnavailableError('shredded', 'This tenant’s credentials were erased'),
        );
        await expect(b.encrypt('again', ctx(t))).rejects.toMatchObject({ reason: 'shredded' });
        await other.close();
      });

      it('rotates every key exactly once even when two runs overlap, and the old master key can then go', async () => {
        const before = new EnvelopeCipher(ring('old'), store);
        const tenants = Array.from({ length: 30 }, () => tenant('rot'));
        const sealed = await Promise.all(tenants.map((t) => before.encrypt(`pw-${t}`, ctx(t))));
        const other = await fx.another();
        const runs = await Promise.all([
          new EnvelopeCipher(ring('old', 'new'), store).rotate(),
          new EnvelopeCipher(ring('old', 'new'), other).rotate(),
        ]);
        expect(runs[0] + runs[1]).toBe(tenants.length);
        expect(await store.countWrappedByOtherThan('new')).toBe(0);
        const after = new EnvelopeCipher(ring('new'), other);
        for (const [i, t] of tenants.entries()) expect(await after.decrypt(sealed[i], ctx(t))).toBe(`pw-${t}`);
        await other.close();
      });
    });
  });
}
