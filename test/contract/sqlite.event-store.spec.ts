import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/infrastructure/event-store/sqlite.event-store';
import { ConcurrencyError } from '../../src/application/ports/event-store.port';
import { eventStoreContract, newEvent } from './event-store.contract';

eventStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'es-sqlite-'));
  const store = new SqliteEventStore(join(dir, 'events.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite event store across connections', () => {
  it('lets exactly one of two connections on the same file win an append with the same expected version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'es-sqlite-'));
    const a = new SqliteEventStore(join(dir, 'events.db'));
    const b = new SqliteEventStore(join(dir, 'events.db'));
    const ev = (id: string) => ({
      eventId: id,
      type: 'T',
      data: {},
      metadata: { actor: 'x', correlationId: 'c', at: 'now' },
    });
    await a.appendToStream('mailConfig-x', [ev('00000000-0000-4000-8000-000000000001')], {
      expectedVersion: 'no_stream',
    });
    await b.appendToStream('mailConfig-x', [ev('00000000-0000-4000-8000-000000000002')], { expectedVersion: 1 });
    await expect(
      a.appendToStream('mailConfig-x', [ev('00000000-0000-4000-8000-000000000003')], { expectedVersion: 1 }),
    ).rejects.toMatchObject({ name: 'ConcurrencyError', actualVersion: 2 });
    expect((await a.readStream('mailConfig-x')).map((e) => e.eventId.slice(-1))).toEqual(['1', '2']);
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('sqlite event store group commit', () => {
  let dir: string;
  let store: SqliteEventStore;
  const ev = (type: string) => newEvent(type);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'es-sqlite-'));
    store = new SqliteEventStore(join(dir, 'events.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits concurrent appends to different streams in one transaction', async () => {
    const before = store.stats;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.appendToStream(`mailConfig-g${i}`, [ev('A'), ev('B')], { expectedVersion: 'no_stream' }),
      ),
    );
    expect(results.map((r) => r.nextExpectedVersion)).toEqual(Array(10).fill(2));
    expect(store.stats).toEqual({ commits: before.commits + 1, appends: before.appends + 10 });
    expect((await store.readAll()).length).toBe(20);
  });

  it('fails only the append with a wrong expected version in a shared commit, atomically', async () => {
    await store.appendToStream('mailConfig-b', [ev('B1')], { expectedVersion: 'no_stream' });
    const before = store.stats;
    const results = await Promise.allSettled([
      store.appendToStream('mailConfig-a', [ev('A1')], { expectedVersion: 'no_stream' }),
      store.appendToStream('mailConfig-b', [ev('B2'), ev('B3')], { expectedVersion: 2 }),
      store.appendToStream('mailConfig-b', [ev('B2'), ev('B3')], { expectedVersion: 1 }),
      store.appendToStream('mailConfig-b', [ev('B4')], { expectedVersion: 1 }),
      store.appendToStream('mailConfig-c', [ev('C1')], { expectedVersion: 'exists' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'rejected']);
    for (const r of results.filter((x) => x.status === 'rejected') as PromiseRejectedResult[]) {
      expect(r.reason).toBeInstanceOf(ConcurrencyError);
    }
    // The second append to b saw the first one of the same batch: it found version 3, not 1.
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ actualVersion: 3 });
    expect(store.stats).toEqual({ commits: before.commits + 1, appends: before.appends + 2 });
    expect((await store.readStream('mailConfig-a')).map((e) => e.type)).toEqual(['A1']);
    expect((await store.readStream('mailConfig-b')).map((e) => e.type)).toEqual(['B1', 'B2', 'B3']);
    expect(await store.readStream('mailConfig-c')).toEqual([]);
  });

  it('recognises a retry queued in the same commit as the append it repeats', async () => {
    const batch = [ev('R1'), ev('R2')];
    const [first, retry] = await Promise.all([
      store.appendToStream('mailConfig-r', batch, { expectedVersion: 'no_stream' }),
      store.appendToStream('mailConfig-r', batch, { expectedVersion: 'no_stream' }),
    ]);
    expect(retry).toEqual(first);
    expect((await store.readStream('mailConfig-r')).map((e) => e.type)).toEqual(['R1', 'R2']);
  });

  it('stores the events as they were when the append was made, not when it was committed', async () => {
    const event = newEvent('M', { n: 1 });
    const append = store.appendToStream('mailConfig-m', [event], { expectedVersion: 'no_stream' });
    (event.data as { n: number }).n = 2;
    await append;
    expect((await store.readStream('mailConfig-m')).map((e) => e.data)).toEqual([{ n: 1 }]);
  });

  it('rejects every append of a batch whose transaction cannot commit, and stores none of it', async () => {
    await store.appendToStream('mailConfig-f', [ev('F1')], { expectedVersion: 'no_stream' });
    // Another connection holds the write lock past busy_timeout (5 s): the batch cannot begin.
    const other = new Database(join(dir, 'events.db'));
    other.exec('BEGIN IMMEDIATE');
    const results = await Promise.allSettled([
      store.appendToStream('mailConfig-f', [ev('F2')], { expectedVersion: 1 }),
      store.appendToStream('mailConfig-g', [ev('G1')], { expectedVersion: 'no_stream' }),
    ]);
    other.exec('ROLLBACK');
    other.close();
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_BUSY' });
    expect((await store.readAll()).map((e) => e.type)).toEqual(['F1']);
    await store.appendToStream('mailConfig-f', [ev('F2')], { expectedVersion: 1 });
    expect((await store.readStream('mailConfig-f')).map((e) => e.type)).toEqual(['F1', 'F2']);
  }, 20_000);

  it('shows an append to no reader before its promise resolves', async () => {
    let acknowledged = false;
    const append = store
      .appendToStream('mailConfig-v', [ev('V1')], { expectedVersion: 'no_stream' })
      .then(() => (acknowledged = true));
    const early = await store.readStream('mailConfig-v');
    const other = new SqliteEventStore(join(dir, 'events.db'));
    const elsewhere = await other.readStream('mailConfig-v');
    await other.close();
    expect({ early: early.length, elsewhere: elsewhere.length, acknowledged }).toEqual({
      early: 0,
      elsewhere: 0,
      acknowledged: false,
    });
    await append;
    expect((await store.readStream('mailConfig-v')).map((e) => e.type)).toEqual(['V1']);
  });

  it('wakes subscriptions after the commit', async () => {
    // No poll tick within the test: only the wake-up after the commit can deliver the events.
    const quiet = new SqliteEventStore(join(dir, 'quiet.db'), 3_600_000);
    const seen: string[] = [];
    const sub = quiet.subscribe({ streamPrefix: 'mailConfig-' }, { onEvent: async (e) => void seen.push(e.type) });
    try {
      await Promise.all([
        quiet.appendToStream('mailConfig-w1', [ev('W1')], { expectedVersion: 'no_stream' }),
        quiet.appendToStream('mailConfig-w2', [ev('W2')], { expectedVersion: 'no_stream' }),
      ]);
      while (seen.length < 2) await new Promise((r) => setImmediate(r));
      expect(seen).toEqual(['W1', 'W2']);
    } finally {
      await sub.close();
      await quiet.close();
    }
  });

  it('commits appends still queued when the store is closed', async () => {
    const pending = store.appendToStream('mailConfig-q', [ev('Q1')], { expectedVersion: 'no_stream' });
    await store.close();
    await expect(pending).resolves.toMatchObject({ nextExpectedVersion: 1 });
    const reopened = new SqliteEventStore(join(dir, 'events.db'));
    expect((await reopened.readStream('mailConfig-q')).map((e) => e.type)).toEqual(['Q1']);
    await reopened.close();
  });

  it('reads ranges with a limit right however often the limit changes', async () => {
    await store.appendToStream('mailConfig-l', [ev('L1'), ev('L2'), ev('L3'), ev('L4')], { expectedVersion: 'any' });
    for (const [from, max, types] of [
      [2, 2, ['L2', 'L3']],
      [1, 1, ['L1']],
      [3, 5, ['L3', 'L4']],
      [2, 0, []],
      [2, 2, ['L2', 'L3']],
    ] as const) {
      expect((await store.readStream('mailConfig-l', { fromVersion: from, maxCount: max })).map((e) => e.type)).toEqual(
        types,
      );
    }
    expect((await store.readAll({ maxCount: 3 })).map((e) => e.type)).toEqual(['L1', 'L2', 'L3']);
    expect((await store.readAll({ streamPrefix: 'mailConfig-', maxCount: 2 })).map((e) => e.type)).toEqual([
      'L1',
      'L2',
    ]);
  });
});
