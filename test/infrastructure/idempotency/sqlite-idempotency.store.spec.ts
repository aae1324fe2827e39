import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteIdempotencyStore } from '../../../src/infrastructure/idempotency/sqlite-idempotency.store';

describe('SQLite idempotency store', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcs-idem-'));
    file = join(dir, 'idempotency.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('claims a key once, then answers the stored outcome, also after a restart', async () => {
    const first = new SqliteIdempotencyStore(file);
    expect(await first.claim('t-1', 'key-1', 'fp')).toEqual({ kind: 'claimed' });
    expect(await first.claim('t-1', 'key-1', 'fp')).toEqual({ kind: 'in_progress' });
    await first.complete('t-1', 'key-1', { ok: true, messageId: '<a@b>' });
    await first.close();
    const second = new SqliteIdempotencyStore(file);
    expect(await second.claim('t-1', 'key-1', 'fp')).toEqual({
      kind: 'completed',
      outcome: { ok: true, messageId: '<a@b>' },
    });
    // Scoped per tenant, and the key is not stored as given.
    expect(await second.claim('t-2', 'key-1', 'fp')).toEqual({ kind: 'claimed' });
    await second.close();
    expect(readFileSync(file).includes(Buffer.from('key-1'))).toBe(false);
  });

  it('tells a claim left by a stopped process from one in progress, and a different request from a retry', async () => {
    const crashed = new SqliteIdempotencyStore(file);
    await crashed.claim('t-1', 'k', 'fp');
    await crashed.close();
    const next = new SqliteIdempotencyStore(file);
    expect(await next.claim('t-1', 'k', 'fp')).toEqual({ kind: 'interrupted' });
    expect(await next.claim('t-1', 'k', 'other')).toEqual({ kind: 'mismatch' });
    await next.close();
  });

  it('forgets a released claim and everything older than 24 h', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const store = new SqliteIdempotencyStore(file, { now: () => now });
    await store.claim('t-1', 'released', 'fp');
    await store.release('t-1', 'released');
    expect(await store.claim('t-1', 'released', 'fp')).toEqual({ kind: 'claimed' });
    await store.claim('t-1', 'old', 'fp');
    await store.complete('t-1', 'old', { ok: true });
    now += 24 * 60 * 60 * 1000 - 1;
    expect((await store.claim('t-1', 'old', 'fp')).kind).toBe('completed');
    now += 1;
    expect(await store.claim('t-1', 'old', 'fp')).toEqual({ kind: 'claimed' });
    now += 24 * 60 * 60 * 1000;
    expect(store.purgeExpired()).toBe(2);
    await store.close();
  });
});
