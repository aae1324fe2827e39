import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
} from '@eventstore/db-client';
import { type EsdbServer, startEsdbServer } from './esdb-server';

/** The test server answered through the real client, on both append paths. */

const event = (type = 'Happened', id = randomUUID()) =>
  jsonEvent({ id, type, data: { at: type }, metadata: { by: 'test' } });
const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
};

describe.each([
  ['BatchAppend', true],
  ['Append', false],
])('test EventStoreDB over %s', (path, advertiseBatchAppend) => {
  let server: EsdbServer;
  let client: EventStoreDBClient;
  const stream = () => `test-${randomUUID()}`;

  beforeAll(async () => {
    server = await startEsdbServer({ advertiseBatchAppend });
    client = EventStoreDBClient.connectionString(server.connectionString);
  });
  afterAll(async () => {
    await client.dispose();
    await server.stop();
  });

  it(`is the path the client takes for appends`, async () => {
    await client.appendToStream(stream(), event());
    expect(server.calls[advertiseBatchAppend ? 'batchAppend' : 'append']).toBeGreaterThan(0);
    expect(server.calls[advertiseBatchAppend ? 'append' : 'batchAppend']).toBeUndefined();
  });

  it('appends and reads a stream forwards, backwards, from a revision and with a count', async () => {
    const s = stream();
    const result = await client.appendToStream(s, [event('A'), event('B'), event('C')], {
      expectedRevision: NO_STREAM,
    });
    expect(result.nextExpectedRevision).toBe(2n);
    const forwards = await collect(client.readStream(s));
    expect(forwards.map((e) => [e.event?.type, e.event?.revision])).toEqual([
      ['A', 0n],
      ['B', 1n],
      ['C', 2n],
    ]);
    expect(forwards[0].event?.data).toEqual({ at: 'A' });
    expect(forwards[0].event?.metadata).toEqual({ by: 'test' });
    expect(forwards[2].event?.position?.commit).toBe(result.position?.commit);
    const backwards = await collect(client.readStream(s, { direction: BACKWARDS, fromRevision: END, maxCount: 2 }));
    expect(backwards.map((e) => e.event?.type)).toEqual(['C', 'B']);
    const middle = await collect(client.readStream(s, { fromRevision: 1n, maxCount: 1 }));
    expect(middle.map((e) => e.event?.type)).toEqual(['B']);
  });

  it('answers StreamNotFound for a stream that was never written', async () => {
    await expect(collect(client.readStream(stream()))).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('reports wrong expected versions in the shape of this append path', async () => {
    const s = stream();
    await client.appendToStream(s, [event(), event()]);
    const conflict = (await client
      .appendToStream(s, event(), { expectedRevision: 0n })
      .catch((e) => e)) as WrongExpectedVersionError;
    expect(conflict).toBeInstanceOf(WrongExpectedVersionError);
    expect([conflict.expectedVersion, conflict.actualVersion]).toEqual([0n, 1n]);
    const exists = await client.appendToStream(stream(), event(), { expectedRevision: STREAM_EXISTS }).catch((e) => e);
    expect([exists.expectedVersion, exists.actualVersion]).toEqual(['stream_exists', 'no_stream']);
    const fresh = await client.appendToStream(s, event(), { expectedRevision: NO_STREAM }).catch((e) => e);
    expect([fresh.expectedVersion, fresh.actualVersion]).toEqual(['no_stream', 1n]);
  });

  it('stores a re-sent write once and answers it like the first time', async () => {
    const s = stream();
    const batch = [event(), event()];
    const first = await client.appendToStream(s, batch, { expectedRevision: NO_STREAM });
    const again = await client.appendToStream(s, batch, { expectedRevision: NO_STREAM });
    const any = await client.appendToStream(s, batch);
    expect([again.nextExpectedRevision, any.nextExpectedRevision]).toEqual([
      first.nextExpectedRevision,
      first.nextExpectedRevision,
    ]);
    expect(again.position?.commit).toBe(first.position?.commit);
    expect(await collect(client.readStream(s))).toHaveLength(2);
    // The same ids after a different event are not a retry but a conflict.
    await client.appendToStream(s, event(), { expectedRevision: 1n });
    await expect(client.appendToStream(s, batch, { expectedRevision: 1n })).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
  });

  it('reads $all forwards from a position inclusively and backwards exclusively, system events included', async () => {
    const s = stream();
    const first = await client.appendToStream(s, event('First'));
    await client.appendToStream(s, event('Second'));
    const from = first.position!;
    const forwards = await collect(client.readAll({ fromPosition: from, maxCount: 2 }));
    expect(forwards.map((e) => e.event?.type)).toEqual(['First', 'Second']);
    const backwards = await collect(client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: 1 }));
    expect(backwards[0].event?.position!.commit).toBeLessThan(from.commit);
    const start = await collect(client.readAll({ fromPosition: START, maxCount: 1 }));
    expect(start[0].event?.streamId.startsWith('$')).toBe(true);
    const last = await collect(client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }));
    expect(last[0].event?.type).toBe('Second');
  });

  it('soft-deletes: the stream reads as not found and the metadata write shows in $all', async () => {
    const s = stream();
    await client.appendToStream(s, event());
    await expect(client.deleteStream(s, { expectedRevision: 5n })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    const deleted = await client.deleteStream(s, { expectedRevision: 0n });
    await expect(collect(client.readStream(s))).rejects.toBeInstanceOf(StreamNotFoundError);
    const last = await collect(client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }));
    expect([last[0].event?.streamId, last[0].event?.type]).toEqual([`$$${s}`, '$metadata']);
    expect(last[0].event?.position?.commit).toBe(deleted.position?.commit);
    const recreated = await client.appendToStream(s, event('Again'));
    expect(recreated.nextExpectedRevision).toBe(1n);
    expect((await collect(client.readStream(s))).map((e) => e.event?.type)).toEqual(['Again']);
  });

  it('tombstones: reads and appends fail with StreamDeleted from then on', async () => {
    const s = stream();
    await client.appendToStream(s, event());
    await client.tombstoneStream(s);
    await expect(collect(client.readStream(s))).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(client.appendToStream(s, event())).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(client.tombstoneStream(s)).rejects.toBeInstanceOf(StreamDeletedError);
  });

  it('keeps its data across a stop and start on the same port, and the client reconnects', async () => {
    const s = stream();
    await client.appendToStream(s, event('Before'));
    const port = server.port;
    await server.stop();
    // A vanished node shows as unavailable, or cancelled when the call was in flight.
    const down = await client.appendToStream(s, event()).catch((e) => e);
    expect(['unavailable', 'cancelled']).toContain(down.type);
    await server.start();
    expect(server.port).toBe(port);
    await client.appendToStream(s, event('After'));
    expect((await collect(client.readStream(s))).map((e) => e.event?.type)).toEqual(['Before', 'After']);
  });
});
