import { randomUUID } from 'node:crypto';
import {
  ConcurrencyError,
  type EventStore,
  type NewEvent,
  type StoredEvent,
} from '../../src/application/ports/event-store.port';

/**
 * One contract for every event-store adapter. Each adapter's spec calls this with a factory
 * that returns a fresh, empty store.
 */
export type StoreFactory = () => Promise<{ store: EventStore; cleanup: () => Promise<void> }>;

let seq = 0;
export function newEvent(type = 'Something', data: unknown = { n: ++seq }): NewEvent {
  return {
    eventId: randomUUID(),
    type,
    data,
    metadata: { actor: 'tester', correlationId: randomUUID(), at: new Date().toISOString() },
  };
}

const stream = (prefix = 'mailConfig') => `${prefix}-${randomUUID().slice(0, 8)}`;

function waitFor<T>(check: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const value = check();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out waiting'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

export function eventStoreContract(name: string, factory: StoreFactory): void {
  describe(`event store contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
    });
    afterEach(async () => {
      await cleanup();
    });

    it('reads an empty array for a stream that does not exist', async () => {
      expect(await store.readStream(stream())).toEqual([]);
    });

    it('appends and reads back events in order with versions from 1 and metadata intact', async () => {
      const s = stream();
      const events = [newEvent('A', { x: 1 }), newEvent('B', { y: 'two' }), newEvent('C', { z: [3] })];
      events[1].metadata.causationId = 'cause-1';
      const result = await store.appendToStream(s, events, { expectedVersion: 'no_stream' });
      expect(result.nextExpectedVersion).toBe(3);
      const read = await store.readStream(s);
      expect(read.map((e) => e.version)).toEqual([1, 2, 3]);
      expect(read.map((e) => e.type)).toEqual(['A', 'B', 'C']);
      expect(read.map((e) => e.data)).toEqual([{ x: 1 }, { y: 'two' }, { z: [3] }]);
      expect(read.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
      expect(read[1].metadata).toEqual(events[1].metadata);
      expect(read.every((e) => e.streamId === s)).toBe(true);
      expect(result.position).toBe(read[2].position);
    });

    it('reads a stream from a version with a max count', async () => {
      const s = stream();
      await store.appendToStream(s, [newEvent(), newEvent(), newEvent(), newEvent()], { expectedVersion: 'any' });
      const read = await store.readStream(s, { fromVersion: 2, maxCount: 2 });
      expect(read.map((e) => e.version)).toEqual([2, 3]);
    });

    describe('expected version', () => {
      it('no_stream succeeds on a new stream and fails on an existing one', async () => {
        const s = stream();
        await store.appendToStream(s, [newEvent()], { expectedVersion: 'no_stream' });
        await expect(store.appendToStream(s, [newEvent()], { expectedVersion: 'no_stream' })).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
      });

      it('exists fails on a new stream and succeeds on an existing one', async () => {
        const s = stream();
        await expect(store.appendToStream(s, [newEvent()], { expectedVersion: 'exists' })).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
        await store.appendToStream(s, [newEvent()], { expectedVersion: 'any' });
        const r = await store.appendToStream(s, [newEvent()], { expectedVersion: 'exists' });
        expect(r.nextExpectedVersion).toBe(2);
      });

      it('any always succeeds', async () => {
        const s = stream();
        await store.appendToStream(s, [newEvent()], { expectedVersion: 'any' });
        const r = await store.appendToStream(s, [newEvent()], { expectedVersion: 'any' });
        expect(r.nextExpectedVersion).toBe(2);
      });

      it('a number must equal the last version of the stream', async () => {
        const s = stream();
        await expect(store.appendToStream(s, [newEvent()], { expectedVersion: 1 })).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
        await store.appendToStream(s, [newEvent(), newEvent()], { expectedVersion: 'no_stream' });
        await expect(store.appendToStream(s, [newEvent()], { expectedVersion: 1 })).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
        await expect(store.appendToStream(s, [newEvent()], { expectedVersion: 3 })).rejects.toBeInstanceOf(
          ConcurrencyError,
        );
        const r = await store.appendToStream(s, [newEvent()], { expectedVersion: 2 });
        expect(r.nextExpectedVersion).toBe(3);
        expect((await store.readStream(s)).length).toBe(3);
      });

      it('a conflict reports the actual version and appends nothing', async () => {
        const s = stream();
        await store.appendToStream(s, [newEvent()], { expectedVersion: 'no_stream' });
        const error = await store.appendToStream(s, [newEvent(), newEvent()], { expectedVersion: 5 }).catch((e) => e);
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error.actualVersion).toBe(1);
        expect((await store.readStream(s)).length).toBe(1);
      });
    });

    it('lets exactly one of several concurrent appends with the same expected version win', async () => {
      const s = stream();
      await store.appendToStream(s, [newEvent()], { expectedVersion: 'no_stream' });
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => store.appendToStream(s, [newEvent()], { expectedVersion: 1 })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(7);
      lost.forEach((r) => expect(r.reason).toBeInstanceOf(ConcurrencyError));
      expect((await store.readStream(s)).map((e) => e.version)).toEqual([1, 2]);
    });

    it('lets concurrent appends to different streams all succeed, each readable once acknowledged', async () => {
      const streams = Array.from({ length: 12 }, () => stream());
      const events = streams.map((_, i) => newEvent('Concurrent', { i }));
      const readBack = await Promise.all(
        streams.map(async (s, i) => {
          const result = await store.appendToStream(s, [events[i]], { expectedVersion: 'no_stream' });
          const read = await store.readStream(s);
          return { result, ids: read.map((e) => e.eventId), position: read[0]?.position };
        }),
      );
      readBack.forEach(({ result, ids, position }, i) => {
        expect(result.nextExpectedVersion).toBe(1);
        expect(ids).toEqual([events[i].eventId]);
        expect(position).toBe(result.position);
      });
      expect(new Set(readBack.map((r) => r.position)).size).toBe(streams.length);
    });

    it('fails only the append whose expected version is wrong among concurrent ones', async () => {
      const [a, b, c] = [stream(), stream(), stream()];
      await store.appendToStream(b, [newEvent('B1')], { expectedVersion: 'no_stream' });
      const results = await Promise.allSettled([
        store.appendToStream(a, [newEvent('A1'), newEvent('A2')], { expectedVersion: 'no_stream' }),
        store.appendToStream(b, [newEvent('B2'), newEvent('B3')], { expectedVersion: 7 }),
        store.appendToStream(c, [newEvent('C1')], { expectedVersion: 'no_stream' }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
      expect((await store.readStream(a)).map((e) => e.type)).toEqual(['A1', 'A2']);
      expect((await store.readStream(b)).map((e) => e.type)).toEqual(['B1']);
      expect((await store.readStream(c)).map((e) => e.type)).toEqual(['C1']);
    });

    it('does not duplicate a retried append with the same event ids and expected version', async () => {
      const s = stream();
      await store.appendToStream(s, [newEvent()], { expectedVersion: 'no_stream' });
      const batch = [newEvent(), newEvent()];
      const first = await store.appendToStream(s, batch, { expectedVersion: 1 });
      const retry = await store.appendToStream(s, batch, { expectedVersion: 1 });
      expect(retry.nextExpectedVersion).toBe(first.nextExpectedVersion);
      expect((await store.readStream(s)).map((e) => e.eventId)).toHaveLength(3);
    });

    it.each(['any', 'exists'] as const)(
      'does not duplicate a retried append with the same event ids and expected version %s, even after later appends',
      async (expectedVersion) => {
        const s = stream();
        await store.appendToStream(s, [newEvent()], { expectedVersion: 'no_stream' });
        const batch = [newEvent('R1'), newEvent('R2')];
        const first = await store.appendToStream(s, batch, { expectedVersion });
        await store.appendToStream(s, [newEvent('Later')], { expectedVersion: 'any' });
        const retry = await store.appendToStream(s, batch, { expectedVersion });
        expect(retry).toEqual(first);
        expect((await store.readStream(s)).map((e) => e.type)).toEqual(['Something', 'R1', 'R2', 'Later']);
      },
    );

    it('refuses a retry with expected version any that matches only part of a stored append', async () => {
      const s = stream();
      const batch = [newEvent('P1'), newEvent('P2')];
      await store.appendToStream(s, batch, { expectedVersion: 'any' });
      const partly = [batch[0], newEvent('P3')];
      await expect(store.appendToStream(s, partly, { expectedVersion: 'any' })).rejects.toBeInstanceOf(
        ConcurrencyError,
      );
      expect((await store.readStream(s)).map((e) => e.type)).toEqual(['P1', 'P2']);
    });

    it('appends with expected version any an event id that only another stream holds', async () => {
      const [a, b] = [stream(), stream()];
      const shared = newEvent('Shared');
      await store.appendToStream(a, [shared], { expectedVersion: 'any' });
      const r = await store.appendToStream(b, [shared], { expectedVersion: 'any' });
      expect(r.nextExpectedVersion).toBe(1);
      expect((await store.readStream(b)).map((e) => e.eventId)).toEqual([shared.eventId]);
    });

    it('keeps events, versions and expected-version checks of a stream given a max age', async () => {
      const s = stream('oauthState');
      await store.appendToStream(s, [newEvent('Issued')], { expectedVersion: 'no_stream' });
      await store.setStreamMaxAge(s, 86_400);
      await expect(
        store.appendToStream(s, [newEvent('Again')], { expectedVersion: 'no_stream' }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      const next = await store.appendToStream(s, [newEvent('Consumed')], { expectedVersion: 1 });
      expect(next.nextExpectedVersion).toBe(2);
      expect((await store.readStream(s)).map((e) => [e.type, e.version])).toEqual([
        ['Issued', 1],
        ['Consumed', 2],
      ]);
      expect((await store.readAll({ streamPrefix: 'oauthState-' })).filter((e) => e.streamId === s)).toHaveLength(2);
      expect((await store.readAll()).every((e) => !e.streamId.startsWith('$'))).toBe(true);
    });

    it('assigns increasing global positions and reads all from a position with a prefix filter', async () => {
      const a = stream();
      const b = stream();
      const other = stream('other');
      await store.appendToStream(a, [newEvent('A1')], { expectedVersion: 'any' });
      await store.appendToStream(other, [newEvent('O1')], { expectedVersion: 'any' });
      await store.appendToStream(b, [newEvent('B1'), newEvent('B2')], { expectedVersion: 'any' });
      await store.appendToStream(a, [newEvent('A2')], { expectedVersion: 'any' });

      const all = await store.readAll({ streamPrefix: 'mailConfig-' });
      const mine = all.filter((e) => e.streamId === a || e.streamId === b);
      expect(mine.map((e) => e.type)).toEqual(['A1', 'B1', 'B2', 'A2']);
      expect(all.some((e) => e.streamId === other)).toBe(false);
      for (let i = 1; i < all.length; i++) expect(all[i].position > all[i - 1].position).toBe(true);

      const after = await store.readAll({ streamPrefix: 'mailConfig-', after: mine[1].position });
      expect(after.filter((e) => e.streamId === a || e.streamId === b).map((e) => e.type)).toEqual(['B2', 'A2']);
      const limited = await store.readAll({ streamPrefix: 'mailConfig-', after: mine[0].position, maxCount: 1 });
      expect(limited.map((e) => e.type)).toEqual(['B1']);
      expect(await store.headPosition()).toBe(mine[3].position);
    });

    it('subscribes: history first, then live events, in order, filtered, exclusive of the start', async () => {
      const s = stream();
      const first = await store.appendToStream(s, [newEvent('H1')], { expectedVersion: 'any' });
      await store.appendToStream(s, [newEvent('H2'), newEvent('H3')], { expectedVersion: 'any' });
      await store.appendToStream(stream('other'), [newEvent('X')], { expectedVersion: 'any' });

      const seen: StoredEvent[] = [];
      let caughtUp = false;
      const sub = store.subscribe(
        { after: first.position, streamPrefix: 'mailConfig-' },
        {
          onEvent: async (e) => {
            await new Promise((r) => setTimeout(r, 1)); // handlers are awaited one at a time
            seen.push(e);
          },
          onCaughtUp: () => {
            caughtUp = true;
          },
        },
      );
      try {
        await waitFor(() => (seen.filter((e) => e.streamId === s).length >= 2 ? true : undefined));
        await waitFor(() => (caughtUp ? true : undefined));
        await store.appendToStream(s, [newEvent('L1')], { expectedVersion: 3 });
        await store.appendToStream(stream('other'), [newEvent('Y')], { expectedVersion: 'any' });
        await store.appendToStream(s, [newEvent('L2')], { expectedVersion: 4 });
        await waitFor(() => (seen.filter((e) => e.streamId === s).length >= 4 ? true : undefined));
        expect(seen.filter((e) => e.streamId === s).map((e) => e.type)).toEqual(['H2', 'H3', 'L1', 'L2']);
        expect(seen.some((e) => e.type === 'X' || e.type === 'Y')).toBe(false);
        for (let i = 1; i < seen.length; i++) expect(seen[i].position > seen[i - 1].position).toBe(true);
      } finally {
        await sub.close();
      }
    });
  });
}

/**
 * readAllOfTypes, for the stores that have it: exactly what readAll gives, filtered to the types,
 * with `maxCount` counting only those and the prefix and `after` applied as readAll applies them.
 */
export async function typedReadContract(store: EventStore): Promise<void> {
  const read = store.readAllOfTypes!.bind(store);
  const tag = randomUUID().slice(0, 8);
  await store.appendToStream(`mailConfig-${tag}-a`, [newEvent('P'), newEvent('X'), newEvent('E')], {
    expectedVersion: 'no_stream',
  });
  await store.appendToStream(`other-${tag}`, [newEvent('P')], { expectedVersion: 'no_stream' });
  await store.appendToStream(`mailConfig-${tag}-b`, [newEvent('X'), newEvent('P')], { expectedVersion: 'no_stream' });
  const all = (await store.readAll()).filter((e) => e.streamId.includes(tag));
  const after = all[0].position - 1n;
  const expected = all.filter((e) => e.streamId.startsWith('mailConfig-') && ['P', 'E'].includes(e.type));
  const got = await read(['P', 'E'], { after, streamPrefix: 'mailConfig-' });
  expect(got.filter((e) => e.streamId.includes(tag))).toEqual(expected);
  const firstTwo = await read(['P', 'E'], { after, streamPrefix: 'mailConfig-', maxCount: 2 });
  expect(firstTwo).toEqual(expected.slice(0, 2));
  const rest = await read(['P', 'E'], { after: firstTwo[1].position, streamPrefix: 'mailConfig-' });
  expect(rest.filter((e) => e.streamId.includes(tag))).toEqual(expected.slice(2));
  expect(await read([], { after })).toEqual([]);
}
