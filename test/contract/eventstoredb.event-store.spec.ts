import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { EventStoreDBClient } from '@eventstore/db-client';
import { EventStoreUnavailableError, type StoredEvent } from '../../src/application/ports/event-store.port';
import { EventStoreDbEventStore } from '../../src/infrastructure/event-store/eventstoredb/eventstoredb.event-store';
import { type EsdbServer, startEsdbServer } from '../support/esdb/esdb-server';
import { eventStoreContract, newEvent } from './event-store.contract';

/**
 * The EventStoreDB adapter against the gRPC test server (both append paths) in every run, and
 * against a real server when EVENTSTORE_TEST_CONNECTION_STRING points at one.
 */

const paths = [
  ['BatchAppend', true],
  ['Append', false],
] as const;

for (const [path, advertiseBatchAppend] of paths) {
  eventStoreContract(`eventstoredb over the test server, appends via ${path}`, async () => {
    const server = await startEsdbServer({ advertiseBatchAppend });
    const store = new EventStoreDbEventStore(server.connectionString);
    return {
      store,
      cleanup: async () => {
        await store.close();
        await server.stop();
        expect(server.calls[advertiseBatchAppend ? 'append' : 'batchAppend']).toBeUndefined();
      },
    };
  });
}

const realServer = process.env.EVENTSTORE_TEST_CONNECTION_STRING;
if (realServer) {
  eventStoreContract('eventstoredb on the real server in EVENTSTORE_TEST_CONNECTION_STRING', async () => {
    const store = new EventStoreDbEventStore(realServer);
    return { store, cleanup: () => store.close() };
  });
} else {
  console.log(
    'EventStoreDB contract against a real server NOT RUN: EVENTSTORE_TEST_CONNECTION_STRING is not set ' +
      '(e.g. esdb://localhost:2113?tls=false). The test-server runs above still ran.',
  );
}

const stream = () => `mailConfig-${randomUUID().slice(0, 8)}`;

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('eventstoredb adapter beyond the contract', () => {
  let server: EsdbServer;
  let store: EventStoreDbEventStore;

  beforeEach(async () => {
    server = await startEsdbServer();
    store = new EventStoreDbEventStore(server.connectionString, { deadlineMs: 3000 });
  });
  afterEach(async () => {
    await store.close();
    await server.stop();
  });

  it('fails fast with EventStoreUnavailableError while the server is down and recovers when it is back', async () => {
    const s = stream();
    await store.appendToStream(s, [newEvent('Before')], { expectedVersion: 'no_stream' });
    await server.stop();
    const started = Date.now();
    await expect(store.appendToStream(s, [newEvent()], { expectedVersion: 1 })).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
    await expect(store.readStream(s)).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.readAll()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.headPosition()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(3000);
    await server.start();
    await store.appendToStream(s, [newEvent('After')], { expectedVersion: 1 });
    expect((await store.readStream(s)).map((e) => e.type)).toEqual(['Before', 'After']);
  });

  it('reports an outage to a live subscription through onError, and a new one resumes after restart', async () => {
    const s = stream();
    const first = await store.appendToStream(s, [newEvent('E1')], { expectedVersion: 'no_stream' });
    const errors: Error[] = [];
    const sub = store.subscribe(
      { streamPrefix: 'mailConfig-' },
      { onEvent: () => undefined, onError: (e) => errors.push(e) },
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.stop();
    await until(() => errors.length > 0);
    expect(errors[0]).toBeInstanceOf(EventStoreUnavailableError);
    await sub.close();
    await server.start();
    await store.appendToStream(s, [newEvent('E2')], { expectedVersion: 1 });
    const seen: string[] = [];
    const resumed = store.subscribe(
      { after: first.position, streamPrefix: 'mailConfig-' },
      { onEvent: (e) => void seen.push(e.type) },
    );
    await until(() => seen.length === 1);
    expect(seen).toEqual(['E2']);
    await resumed.close();
  });

  it('gives up with EventStoreUnavailableError when the server accepts connections but never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const stuck = new EventStoreDbEventStore(`esdb://127.0.0.1:${port}?tls=false`, { deadlineMs: 500 });
    try {
      await expect(stuck.readStream(stream())).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(stuck.appendToStream(stream(), [newEvent()], { expectedVersion: 'any' })).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );
    } finally {
      await stuck.close();
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('signals caught-up only after the last history event was handled', async () => {
    const s = stream();
    const history = Array.from({ length: 40 }, (_, i) => newEvent(`H${i}`));
    await store.appendToStream(s, history, { expectedVersion: 'no_stream' });
    const handled: StoredEvent[] = [];
    let handledAtCaughtUp = -1;
    const sub = store.subscribe(
      { streamPrefix: 'mailConfig-' },
      {
        onEvent: async (e) => {
          await new Promise((resolve) => setTimeout(resolve, 2));
          handled.push(e);
        },
        onCaughtUp: () => (handledAtCaughtUp = handled.length),
      },
    );
    await until(() => handledAtCaughtUp >= 0);
    await sub.close();
    expect(handledAtCaughtUp).toBe(40);
  });

  it('writes what the port promises: explicit type, JSON data and metadata, our event id', async () => {
    const s = stream();
    const event = newEvent('SmtpTransportConfigured', { host: 'smtp.example.org' });
    event.metadata.causationId = 'cmd-1';
    await store.appendToStream(s, [event], { expectedVersion: 'no_stream' });
    const raw = EventStoreDBClient.connectionString(server.connectionString);
    try {
      const read = [];
      for await (const { event: recorded } of raw.readStream(s)) read.push(recorded);
      expect(read).toHaveLength(1);
      expect(read[0]).toMatchObject({ id: event.eventId, type: 'SmtpTransportConfigured', isJson: true, revision: 0n });
      expect(read[0]?.data).toEqual({ host: 'smtp.example.org' });
      expect(read[0]?.metadata).toEqual(event.metadata);
    } finally {
      await raw.dispose();
    }
  });

  it('reads $all the same in pages of two, and finds the head behind a long run of system records', async () => {
    const tiny = new EventStoreDbEventStore(server.connectionString, { pageSize: 2 });
    const [a, b] = [stream(), stream()];
    await store.appendToStream(a, [newEvent('A1'), newEvent('A2')], { expectedVersion: 'no_stream' });
    await store.appendToStream(`other-${randomUUID()}`, [newEvent('O1'), newEvent('O2'), newEvent('O3')], {
      expectedVersion: 'any',
    });
    const last = await store.appendToStream(b, [newEvent('B1'), newEvent('B2')], { expectedVersion: 'no_stream' });
    const raw = EventStoreDBClient.connectionString(server.connectionString);
    // Each writes a $metadata record to $$meta-<i>: a run of system records at the end of $all.
    for (let i = 0; i < 40; i++) await raw.setStreamMetadata(`meta-${i}`, { maxCount: 10 });
    await raw.dispose();
    const types = (events: StoredEvent[]) => events.map((e) => e.type);
    try {
      expect(types(await tiny.readAll())).toEqual(types(await store.readAll()));
      expect(types(await tiny.readAll({ streamPrefix: 'mailConfig-' }))).toEqual(['A1', 'A2', 'B1', 'B2']);
      const [first] = await tiny.readAll({ maxCount: 1 });
      expect(types(await tiny.readAll({ after: first.position, streamPrefix: 'mailConfig-', maxCount: 2 }))).toEqual([
        'A2',
        'B1',
      ]);
      expect(await tiny.headPosition()).toBe(last.position);
      expect(await store.headPosition()).toBe(last.position);
    } finally {
      await tiny.close();
    }
  });

  it('sets $maxAge as stream metadata, where EventStoreDB applies it', async () => {
    const s = `oauthState-${randomUUID()}`;
    await store.appendToStream(s, [newEvent('OAuthStateIssued')], { expectedVersion: 'no_stream' });
    await store.setStreamMaxAge(s, 86_400);
    const raw = EventStoreDBClient.connectionString(server.connectionString);
    try {
      expect((await raw.getStreamMetadata(s)).metadata).toMatchObject({ maxAge: 86_400 });
    } finally {
      await raw.dispose();
    }
  });

  it('leaves system records out of readAll and headPosition', async () => {
    expect(await store.headPosition()).toBe(0n);
    const s = stream();
    const mine = await store.appendToStream(s, [newEvent()], { expectedVersion: 'no_stream' });
    const raw = EventStoreDBClient.connectionString(server.connectionString);
    await raw.setStreamMetadata(`mailConfig-${randomUUID()}`, { maxAge: 60 }); // a $metadata record in $all
    await raw.dispose();
    expect(await store.headPosition()).toBe(mine.position);
    expect((await store.readAll()).map((e) => e.streamId)).toEqual([s]);
  });
});
