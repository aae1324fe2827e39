import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/infrastructure/event-store/sqlite.event-store';
import {
  ConcurrencyError,
  EventDecodeError,
  type NewEvent,
  type StoredEvent,
} from '../../src/application/ports/event-store.port';
import { eventStoreContract, newEvent, typedReadContract } from './event-store.contract';

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
    expect(store.stats).toMatchObject({ commits: before.commits + 1, appends: before.appends + 10 });
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
    expect(store.stats).toMatchObject({ commits: before.commits + 1, appends: before.appends + 2 });
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

  it('never commits an append in part: a failure while one is written fails the whole batch', async () => {
    await store.appendToStream('mailConfig-u', [ev('U1'), ev('U2')], { expectedVersion: 'no_stream' });
    // A damaged version table (as a hand edit would leave it): the check passes at version 1, and the
    // insert of version 2 then hits UNIQUE(stream_id, version) after the append began writing.
    const other = new Database(join(dir, 'events.db'));
    other.prepare("UPDATE streams SET version = 1 WHERE stream_id = 'mailConfig-u'").run();
    other.close();
    const results = await Promise.allSettled([
      store.appendToStream('mailConfig-w', [ev('W1')], { expectedVersion: 'no_stream' }),
      store.appendToStream('mailConfig-u', [ev('U3'), ev('U4')], { expectedVersion: 1 }),
      store.appendToStream('mailConfig-x', [ev('X1')], { expectedVersion: 'no_stream' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    // Nothing of the batch is in the file: not the appends before it, not the ones after.
    expect((await store.readAll()).map((e) => e.type)).toEqual(['U1', 'U2']);
    await store.appendToStream('mailConfig-w', [ev('W1')], { expectedVersion: 'no_stream' });
    expect((await store.readStream('mailConfig-w')).map((e) => e.type)).toEqual(['W1']);
  });

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

describe('sqlite event store subscriptions over own commits', () => {
  let dir: string;
  const ev = (type: string) => newEvent(type);
  const opened: SqliteEventStore[] = [];
  const open = (pollMs: number, recentRows?: number) => {
    const store = new SqliteEventStore(join(dir, 'events.db'), pollMs, { recentRows });
    opened.push(store);
    return store;
  };
  /** Lets the event loop run until `done` holds (the test's own timeout bounds it). */
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise((r) => setTimeout(r, 5));
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'es-sqlite-'));
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers its own appends without reading them back, exactly as a read returns them', async () => {
    // No poll tick within the test: after catching up, only the commits themselves can deliver.
    const store = open(3_600_000);
    await store.appendToStream('mailConfig-old', [ev('Old')], { expectedVersion: 'no_stream' });
    const seen: StoredEvent[] = [];
    let caughtUp = false;
    const sub = store.subscribe(
      { streamPrefix: 'mailConfig-' },
      { onEvent: (e) => void seen.push(e), onCaughtUp: () => (caughtUp = true) },
    );
    await until(() => caughtUp);
    const before = store.stats;
    const appended = [ev('A1'), ev('A2')];
    await Promise.all([
      store.appendToStream('mailConfig-a', appended, { expectedVersion: 'no_stream' }),
      store.appendToStream('oauthState-x', [ev('Foreign')], { expectedVersion: 'no_stream' }),
    ]);
    await store.appendToStream('mailConfig-b', [ev('B1')], { expectedVersion: 'no_stream' });
    await until(() => seen.length === 4);
    const after = store.stats;
    await sub.close();

    expect(after.reads).toBe(before.reads);
    expect(after.recentDeliveries).toBeGreaterThan(before.recentDeliveries);
    expect(seen).toEqual(await store.readAll({ streamPrefix: 'mailConfig-' }));
    expect(seen.map((e) => typeof e.position)).toEqual(Array(4).fill('bigint'));
    // Decoded from what was stored, never the caller's objects.
    expect(seen[1].data).not.toBe(appended[0].data);
    expect(seen[1].metadata).not.toBe(appended[0].metadata);
  });

  it('fails a subscription on an own append it cannot decode, as a read would', async () => {
    const store = open(3_600_000);
    const errors: Error[] = [];
    let caughtUp = false;
    const sub = store.subscribe(
      { streamPrefix: 'mailConfig-' },
      { onEvent: () => undefined, onCaughtUp: () => (caughtUp = true), onError: (e) => void errors.push(e) },
    );
    await until(() => caughtUp);
    const broken = { ...ev('Broken'), metadata: { correlationId: 'c', at: 'now' } } as unknown as NewEvent;
    const { position } = await store.appendToStream('mailConfig-p', [broken], { expectedVersion: 'no_stream' });
    await until(() => errors.length > 0);
    await sub.close();
    const read = await store.readAll({ streamPrefix: 'mailConfig-' }).catch((e: Error) => e);
    expect(errors[0]).toBeInstanceOf(EventDecodeError);
    expect(errors[0]).toMatchObject({ streamId: 'mailConfig-p', version: 1, position });
    expect(errors[0].message).toBe((read as Error).message);
  });

  it('reads the file when its kept commits no longer reach back to the subscription', async () => {
    const store = open(3_600_000, 3);
    const seen: bigint[] = [];
    let caughtUp = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sub = store.subscribe(
      { streamPrefix: 'mailConfig-' },
      {
        onEvent: async (e) => {
          // The first delivery waits while ten more commits push it out of the kept ones.
          if (seen.push(e.position) === 1) await gate;
        },
        onCaughtUp: () => (caughtUp = true),
      },
    );
    await store.appendToStream('mailConfig-s', [ev('S1')], { expectedVersion: 'no_stream' });
    await until(() => seen.length === 1);
    for (let v = 1; v <= 10; v++) await store.appendToStream('mailConfig-s', [ev(`S${v + 1}`)], { expectedVersion: v });
    const before = store.stats.reads;
    release();
    await until(() => seen.length === 11 && caughtUp);
    await sub.close();
    expect(store.stats.reads).toBeGreaterThan(before);
    expect(seen).toEqual((await store.readAll()).map((e) => e.position));
  });

  it('closes while a handler runs without waiting for the next poll (here an hour)', async () => {
    const store = open(3_600_000);
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sub = store.subscribe(
      { streamPrefix: 'mailConfig-' },
      {
        onEvent: async (e) => {
          seen.push(e.type);
          await gate;
        },
      },
    );
    await store.appendToStream('mailConfig-c', [ev('C1')], { expectedVersion: 'no_stream' });
    await until(() => seen.length === 1);
    const closed = sub.close();
    release();
    // Before the fix, the loop finished the batch and went to sleep for the poll interval.
    await closed;
    await store.appendToStream('mailConfig-c', [ev('C2')], { expectedVersion: 1 });
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['C1']);
  }, 10_000);

  it('delivers every event once, in position order, when two stores on one file append interleaved', async () => {
    // `a` never polls: it can only learn of b's commits from the gaps they leave between its own.
    const a = open(3_600_000);
    const b = open(20);
    const seenBy = new Map<SqliteEventStore, bigint[]>([
      [a, []],
      [b, []],
    ]);
    const subs = [a, b].map((s) =>
      s.subscribe(
        { streamPrefix: 'mailConfig-' },
        {
          onEvent: async (e) => {
            seenBy.get(s)!.push(e.position);
            // A slow handler: several commits of both stores pile up while one event is delivered.
            await new Promise((r) => setTimeout(r, 1));
          },
        },
      ),
    );
    const rounds = 30;
    for (let i = 0; i < rounds; i++) {
      // Sequential, and concurrent within a round: each store's commits leave gaps the other fills.
      await a.appendToStream(`mailConfig-a${i}`, [ev('A'), ev('A')], { expectedVersion: 'no_stream' });
      await Promise.all([
        b.appendToStream(`mailConfig-b${i}`, [ev('B')], { expectedVersion: 'no_stream' }),
        a.appendToStream(`oauthState-a${i}`, [ev('Foreign')], { expectedVersion: 'no_stream' }),
        a.appendToStream(`mailConfig-c${i}`, [ev('C')], { expectedVersion: 'no_stream' }),
      ]);
    }
    await a.appendToStream('mailConfig-last', [ev('Last')], { expectedVersion: 'no_stream' });
    const all = (await a.readAll({ streamPrefix: 'mailConfig-' })).map((e) => e.position);
    expect(all).toHaveLength(rounds * 4 + 1);
    await until(() => seenBy.get(a)!.length >= all.length && seenBy.get(b)!.length >= all.length);
    await Promise.all(subs.map((s) => s.close()));
    expect(seenBy.get(a)).toEqual(all);
    expect(seenBy.get(b)).toEqual(all);
    expect(a.stats.recentDeliveries).toBeGreaterThan(0);
  });
});

describe('sqlite event store, reads by type', () => {
  it('gives readAll’s events of the asked types only, in order, maxCount counting them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'es-sqlite-'));
    const store = new SqliteEventStore(join(dir, 'events.db'));
    await typedReadContract(store);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
