import { randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  MaxAppendSizeExceededError,
  NO_STREAM,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
} from '@eventstore/db-client';
import { EventStoreDbEventStore } from '../../src/infrastructure/event-store/eventstoredb/eventstoredb.event-store';
import { startEsdbServer } from '../support/esdb/esdb-server';
import { newEvent } from './event-store.contract';

/**
 * What an EventStoreDB node does where the adapter's proof relies on the test server behaving the
 * same: each case runs against the test server on both append paths and, when
 * EVENTSTORE_TEST_CONNECTION_STRING is set, against that node (default settings, 21.10 or later),
 * so a divergence shows up as a failure on one side. Deletes go through the client directly
 * because the port has none.
 */

interface Target {
  connectionString: string;
  stop(): Promise<void>;
}

const targets: [string, () => Promise<Target>][] = [
  ['test server via BatchAppend', () => startEsdbServer({ advertiseBatchAppend: true })],
  ['test server via Append', () => startEsdbServer({ advertiseBatchAppend: false })],
];
const realServer = process.env.EVENTSTORE_TEST_CONNECTION_STRING;
if (realServer) {
  targets.push([
    `the node in EVENTSTORE_TEST_CONNECTION_STRING`,
    async () => ({
      connectionString: realServer,
      stop: async () => undefined,
    }),
  ]);
}

const MiB = 1024 * 1024;
const stream = () => `node-${randomUUID()}`;
const event = (type = 'Happened') => jsonEvent({ type, data: { at: type } });
const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
};

describe.each(targets)('EventStoreDB node behaviour: %s', (name, start) => {
  let target: Target;
  let client: EventStoreDBClient;
  let store: EventStoreDbEventStore;

  beforeAll(async () => {
    target = await start();
    client = EventStoreDBClient.connectionString(target.connectionString);
    store = new EventStoreDbEventStore(target.connectionString, { deadlineMs: 30_000 });
  });
  afterAll(async () => {
    await store.close();
    await client.dispose();
    await target.stop();
  });

  const lastInAll = async () =>
    (await collect(client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 })))[0]?.event?.id;

  describe('deleting', () => {
    it.each([
      ['any', ANY, -2n],
      ['no_stream', NO_STREAM, -1n],
    ] as const)(
      'refuses to soft-delete a stream that never existed (expected %s): "Delete failed", actual -1, nothing written',
      async (_label, expectedRevision, expectedVersion) => {
        const s = stream();
        const before = await lastInAll();
        const error = await client.deleteStream(s, { expectedRevision }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ streamName: s, expectedVersion, actualVersion: -1n });
        expect((error as Error).message).toContain(`Delete failed due to WrongExpectedVersion. Stream: ${s},`);
        expect(await lastInAll()).toBe(before);
        await expect(collect(client.readStream(s))).rejects.toBeInstanceOf(StreamNotFoundError);
      },
    );

    it('soft-deletes a stream that exists only through its metadata, and recreates it on the next append', async () => {
      const s = stream();
      await client.setStreamMetadata(s, { maxCount: 10 });
      const deleted = await client.deleteStream(s, { expectedRevision: NO_STREAM });
      expect(deleted.position?.commit).toBeDefined();
      const appended = await client.appendToStream(s, event('First'), { expectedRevision: NO_STREAM });
      expect(appended.nextExpectedRevision).toBe(0n);
      const meta = await collect(client.readStream(`$$${s}`));
      expect(meta.map((e) => (e.event?.data as { $tb?: number }).$tb)).toEqual([undefined, expect.any(Number), 0]);
    });

    it('counts a stream with only metadata as existing for an append expecting exists', async () => {
      const s = stream();
      await expect(client.appendToStream(s, event(), { expectedRevision: STREAM_EXISTS })).rejects.toBeInstanceOf(
        WrongExpectedVersionError,
      );
      await client.setStreamMetadata(s, { maxCount: 10 });
      const appended = await client.appendToStream(s, event('First'), { expectedRevision: STREAM_EXISTS });
      expect(appended.nextExpectedRevision).toBe(0n);
    });

    it.each([
      ['any', ANY],
      ['no_stream', NO_STREAM],
    ] as const)('tombstones a stream that never existed (expected %s); it is deleted from then on', async (_l, rev) => {
      const s = stream();
      await client.tombstoneStream(s, { expectedRevision: rev });
      await expect(collect(client.readStream(s))).rejects.toBeInstanceOf(StreamDeletedError);
      await expect(client.appendToStream(s, event())).rejects.toBeInstanceOf(StreamDeletedError);
    });

    it('reports delete and tombstone conflicts as "Delete failed" with the actual revision, -1 for no stream', async () => {
      const s = stream();
      await client.appendToStream(s, [event(), event()]);
      for (const remove of [client.deleteStream.bind(client), client.tombstoneStream.bind(client)]) {
        const error = await remove(s, { expectedRevision: 5n }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ streamName: s, expectedVersion: 5n, actualVersion: 1n });
        expect((error as Error).message).toContain('Delete failed due to WrongExpectedVersion');
      }
      const missing = stream();
      const error = await client.tombstoneStream(missing, { expectedRevision: 0n }).catch((e: unknown) => e);
      expect(error).toMatchObject({ streamName: missing, expectedVersion: 0n, actualVersion: -1n });
      expect((error as Error).message).toContain('Delete failed due to WrongExpectedVersion');
    });

    it('treats a soft-deleted stream as absent: no_stream recreates it, exists is refused, $tb follows', async () => {
      const s = stream();
      await client.appendToStream(s, [event('Old1'), event('Old2')]);
      await client.deleteStream(s);
      await expect(client.appendToStream(s, event(), { expectedRevision: STREAM_EXISTS })).rejects.toBeInstanceOf(
        WrongExpectedVersionError,
      );
      const recreated = await client.appendToStream(s, event('New'), { expectedRevision: NO_STREAM });
      expect(recreated.nextExpectedRevision).toBe(2n);
      const read = await collect(client.readStream(s));
      expect(read.map((e) => [e.event?.type, e.event?.revision])).toEqual([['New', 2n]]);
      // The node writes $tb = long.MaxValue on delete, then the first new revision on recreation.
      const meta = await collect(client.readStream(`$$${s}`));
      const truncateBefore = meta.map((e) => (e.event?.data as { $tb: number }).$tb);
      expect(truncateBefore).toHaveLength(2);
      expect(truncateBefore[0]).toBeGreaterThan(2 ** 62);
      expect(truncateBefore[1]).toBe(2);
    });
  });

  describe('maximum append size (1 MiB by default)', () => {
    const sized = (type: string, bytes: number) => newEvent(type, { blob: 'x'.repeat(bytes) });

    it('refuses a write over the limit as a whole and stores none of it', async () => {
      const s = stream();
      for (const events of [
        [sized('Huge', 1.2 * MiB)],
        [sized('A', 0.4 * MiB), sized('B', 0.4 * MiB), sized('C', 0.4 * MiB)],
      ]) {
        const error = await store.appendToStream(s, events, { expectedVersion: 'any' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MaxAppendSizeExceededError);
        expect(error).toMatchObject({ maxAppendSize: MiB });
      }
      expect(await store.readStream(s)).toEqual([]);
    });

    it('accepts a write under the limit', async () => {
      const s = stream();
      const result = await store.appendToStream(s, [sized('A', 0.4 * MiB), sized('B', 0.4 * MiB)], {
        expectedVersion: 'no_stream',
      });
      expect(result.nextExpectedVersion).toBe(2);
      expect((await store.readStream(s)).map((e) => e.type)).toEqual(['A', 'B']);
    });
  });

  it('takes a burst of 10,000 appends to one stream, then still recognises a retry of the first', async () => {
    const s = stream();
    const events = Array.from({ length: 10_000 }, (_, i) => newEvent(`Burst${i}`));
    const started = performance.now();
    const first = await store.appendToStream(s, [events[0]], { expectedVersion: 'no_stream' });
    for (let next = 1; next < events.length; next += 50) {
      const wave = events.slice(next, next + 50);
      await Promise.all(wave.map((e) => store.appendToStream(s, [e], { expectedVersion: 'any' })));
    }
    const elapsed = performance.now() - started;
    // Recorded, not asserted: the figure depends on the machine (issue #20 asks for under 5 s).
    console.log(`10,000 appends to one stream (${name}), 50 in flight: ${(elapsed / 1000).toFixed(2)} s`);
    const retry = await store.appendToStream(s, [events[0]], { expectedVersion: 'any' });
    expect(retry).toEqual(first);
    const read = await store.readStream(s);
    expect(read.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
    expect(new Set(read.map((e) => e.eventId))).toEqual(new Set(events.map((e) => e.eventId)));
  }, 120_000);
});
