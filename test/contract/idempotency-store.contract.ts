import { randomUUID } from 'node:crypto';
import { type IdempotencyClaim, type IdempotencyStore } from '../../src/application/ports/idempotency.port';

/** One fresh, empty store of an adapter, with what the contract needs to look behind it. */
export interface IdempotencyStoreFixture {
  store: IdempotencyStore;
  /** Another store on the same storage: another instance of the service. */
  another(): Promise<IdempotencyStore>;
  /** Makes every record `ms` older, as if that much time had passed with nobody renewing a claim. */
  elapse(ms: number): Promise<void>;
  /** How long a claim outlives its owner (0: the adapter knows at once that the owner is gone). */
  leaseMs: number;
  cleanup(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const tenant = () => `t-${randomUUID().slice(0, 8)}`;
const key = () => `key-${randomUUID()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function idempotencyStoreContract(name: string, open: () => Promise<IdempotencyStoreFixture>): void {
  describe(`idempotency store contract: ${name}`, () => {
    let fx: IdempotencyStoreFixture;
    let store: IdempotencyStore;
    const others: IdempotencyStore[] = [];
    const another = async () => others[others.push(await fx.another()) - 1];
    beforeEach(async () => {
      fx = await open();
      store = fx.store;
    });
    afterEach(async () => {
      for (const s of others.splice(0)) await s.close();
      await fx.cleanup();
    });

    it('claims a key once; every instance then sees it in progress, and afterwards the first outcome', async () => {
      const [t, k] = [tenant(), key()];
      const other = await another();
      expect(await store.claim(t, k, 'fp')).toEqual({ kind: 'claimed' });
      expect(await store.claim(t, k, 'fp')).toEqual({ kind: 'in_progress' });
      expect(await other.claim(t, k, 'fp')).toEqual({ kind: 'in_progress' });
      const outcome = { ok: true, result: { messageId: '<a@b>', accepted: ['x@example.org'] } };
      await store.complete(t, k, outcome);
      expect(await other.claim(t, k, 'fp')).toEqual({ kind: 'completed', outcome });
      expect(await store.claim(t, k, 'fp')).toEqual({ kind: 'completed', outcome });
    });

    it('scopes keys per tenant and refuses the same key for a different request', async () => {
      const [t, k] = [tenant(), key()];
      expect(await store.claim(t, k, 'fp')).toEqual({ kind: 'claimed' });
      expect(await store.claim(tenant(), k, 'fp')).toEqual({ kind: 'claimed' });
      expect(await store.claim(t, k, 'other')).toEqual({ kind: 'mismatch' });
      await store.complete(t, k, { ok: true });
      expect(await (await another()).claim(t, k, 'other')).toEqual({ kind: 'mismatch' });
    });

    it('forgets a released claim so the same key may try again; only the owner releases or completes', async () => {
      const [t, k] = [tenant(), key()];
      const other = await another();
      await store.claim(t, k, 'fp');
      await other.release(t, k);
      await other.complete(t, k, { ok: 'not mine' });
      expect(await other.claim(t, k, 'fp')).toEqual({ kind: 'in_progress' });
      await store.release(t, k);
      expect(await other.claim(t, k, 'fp')).toEqual({ kind: 'claimed' });
      await other.complete(t, k, { ok: true });
      expect(await store.claim(t, k, 'fp')).toEqual({ kind: 'completed', outcome: { ok: true } });
    });

    it('gives a key to exactly one of many concurrent claims from several instances', async () => {
      const stores = [store, await another(), await another(), await another()];
      for (let round = 0; round < 5; round++) {
        const [t, k] = [tenant(), key()];
        const answers: IdempotencyClaim[] = await Promise.all(
          Array.from({ length: 12 }, (_, i) => stores[i % stores.length].claim(t, k, 'fp')),
        );
        expect(answers.filter((a) => a.kind === 'claimed')).toHaveLength(1);
        expect(answers.filter((a) => a.kind === 'in_progress')).toHaveLength(11);
      }
    });

    it('keeps a live owner’s claim in progress past the lease, as long as the owner runs', async () => {
      const [t, k] = [tenant(), key()];
      const other = await another();
      await store.claim(t, k, 'fp');
      await sleep(fx.leaseMs * 3 + 100);
      expect(await other.claim(t, k, 'fp')).toEqual({ kind: 'in_progress' });
    });

    it('answers "interrupted", never a new claim, once the owner of a claim stopped mid-request', async () => {
      const [t, k] = [tenant(), key()];
      const crashed = await fx.another();
      const other = await another();
      await crashed.claim(t, k, 'fp');
      await crashed.close();
      let answer = await other.claim(t, k, 'fp');
      for (let i = 0; answer.kind === 'in_progress' && i < 200; i++) {
        await sleep(50);
        answer = await other.claim(t, k, 'fp');
      }
      expect(answer).toEqual({ kind: 'interrupted' });
      expect(await store.claim(t, k, 'fp')).toEqual({ kind: 'interrupted' });
      expect(await store.claim(t, k, 'different')).toEqual({ kind: 'mismatch' });
    });

    it('forgets every record 24 h after its claim', async () => {
      const [t, done, pending] = [tenant(), key(), key()];
      await store.claim(t, done, 'fp');
      await store.complete(t, done, { ok: true });
      await (await another()).claim(t, pending, 'fp');
      await fx.elapse(DAY_MS - 60_000);
      expect(await store.claim(t, done, 'fp')).toEqual({ kind: 'completed', outcome: { ok: true } });
      await fx.elapse(60_000);
      expect(await store.claim(t, done, 'other')).toEqual({ kind: 'claimed' });
      expect(await store.claim(t, pending, 'fp')).toEqual({ kind: 'claimed' });
    });
  });
}
