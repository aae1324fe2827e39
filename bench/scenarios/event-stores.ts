import { EventStoreDBClient, jsonEvent, type JSONType, NO_STREAM, StreamNotFoundError } from '@eventstore/db-client';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { type EventStore, type NewEvent } from '../../src/application/ports/event-store.port';
import { InMemoryEventStore } from '../../src/infrastructure/event-store/in-memory.event-store';
import { SqliteEventStore } from '../../src/infrastructure/event-store/sqlite.event-store';
import { type Row } from '../lib/report';
import { type BenchContext, type Scenario } from '../lib/scenario';
import { ratio } from '../lib/stats';

/**
 * What is timed is the same work done two ways: through our EventStore adapter, and with the
 * library underneath called directly as a careful user would (same optimistic-concurrency check,
 * same JSON in and out). The ratio is the cost of the adapter layer.
 */
interface Subject {
  name: string;
  /** Appends one event at `version` (1 = new stream) with the expected-version check. */
  append(stream: string, version: number, event: NewEvent): Promise<void>;
  /** Reads a whole stream; returns how many events came back. */
  read(stream: string): Promise<number>;
  close(): Promise<void>;
}

const EVENTS_PER_STREAM = 10;

function sampleEvent(i: number): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'SmtpConfigured',
    data: {
      address: `ops@tenant-${i}.example.org`,
      host: 'smtp.example.org',
      port: 587,
      security: 'starttls',
      username: `ops@tenant-${i}.example.org`,
      password: {
        keyId: 'dek:6f1c0e4e-5b7a-4a43-9d59-8f7f3b2c1a00',
        ciphertext: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJ==',
      },
      passwordChanged: true,
      configuredAt: '2026-11-26T10:00:00.000Z',
    },
    metadata: { actor: 'bench', correlationId: randomUUID(), at: '2026-11-26T10:00:00.000Z', schemaVersion: 1 },
  };
}

function adapter(name: string, store: EventStore): Subject {
  return {
    name,
    async append(stream, version, event) {
      await store.appendToStream(stream, [event], { expectedVersion: version === 1 ? 'no_stream' : version - 1 });
    },
    async read(stream) {
      return (await store.readStream(stream)).length;
    },
    close: () => store.close(),
  };
}

/**
 * A Map of arrays plus the global log that reading "all" needs, with the same version check and
 * the same copies in and out as the adapter.
 */
function rawMemory(): Subject {
  const streams = new Map<string, unknown[]>();
  const all: unknown[] = [];
  return {
    name: 'Map + structuredClone',
    async append(stream, version, event) {
      const events = streams.get(stream);
      if ((events?.length ?? 0) !== version - 1) throw new Error(`conflict on ${stream}`);
      const list = events ?? [];
      const stored = { ...structuredClone(event), streamId: stream, version, position: BigInt(all.length + 1) };
      list.push(stored);
      all.push(stored);
      streams.set(stream, list);
    },
    async read(stream) {
      return structuredClone(streams.get(stream) ?? []).length;
    },
    close: async () => undefined,
  };
}

/** better-sqlite3 statements on the same schema and pragmas, in one IMMEDIATE transaction per append. */
function rawSqlite(file: string): Subject {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL'); // as the store: an append is on disk when it returns
  db.exec(`CREATE TABLE IF NOT EXISTS events (position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL,
    version INTEGER NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
    UNIQUE (stream_id, version));
    CREATE TABLE IF NOT EXISTS streams (stream_id TEXT PRIMARY KEY, version INTEGER NOT NULL);`);
  const current = db.prepare<[string], { version: number }>('SELECT version FROM streams WHERE stream_id = ?');
  const insert = db.prepare(
    'INSERT INTO events (stream_id, version, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const setVersion = db.prepare(
    'INSERT INTO streams (stream_id, version) VALUES (?, ?) ON CONFLICT(stream_id) DO UPDATE SET version = excluded.version',
  );
  const select = db.prepare<
    [string],
    {
      position: number;
      stream_id: string;
      version: number;
      event_id: string;
      type: string;
      data: string;
      metadata: string;
    }
  >('SELECT * FROM events WHERE stream_id = ? ORDER BY version');
  const append = db.transaction((stream: string, version: number, e: NewEvent) => {
    if ((current.get(stream)?.version ?? 0) !== version - 1) throw new Error(`conflict on ${stream}`);
    insert.run(stream, version, e.eventId, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata));
    setVersion.run(stream, version);
  });
  return {
    name: 'better-sqlite3 statements',
    async append(stream, version, event) {
      append.immediate(stream, version, event);
    },
    async read(stream) {
      return select.all(stream).map((r) => ({ ...r, data: JSON.parse(r.data), metadata: JSON.parse(r.metadata) }))
        .length;
    },
    close: async () => void db.close(),
  };
}

function rawEsdb(connectionString: string): Subject {
  const client = EventStoreDBClient.connectionString(connectionString);
  return {
    name: '@eventstore/db-client',
    async append(stream, version, e) {
      await client.appendToStream(
        stream,
        jsonEvent({
          id: e.eventId,
          type: e.type,
          data: e.data as JSONType,
          metadata: e.metadata as unknown as JSONType,
        }),
        { expectedRevision: version === 1 ? NO_STREAM : BigInt(version - 2) },
      );
    },
    async read(stream) {
      let n = 0;
      try {
        for await (const resolved of client.readStream(stream)) if (resolved.event) n++;
      } catch (error) {
        if (!(error instanceof StreamNotFoundError)) throw error;
      }
      return n;
    },
    close: () => client.dispose(),
  };
}

async function pooled(total: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) await work(next++);
    }),
  );
}

interface Tally {
  appends: number;
  appendNs: number;
  reads: number;
  readNs: number;
}

/**
 * Appends EVENTS_PER_STREAM events to each of `streams` new streams (version-major, so one stream
 * never has two appends in flight), then reads each back `readRepeats` times; adds to the tally.
 */
async function chunk(
  subject: Subject,
  prefix: string,
  streams: number,
  concurrency: number,
  readRepeats: number,
  tally: Tally,
): Promise<void> {
  const names = Array.from({ length: streams }, (_, i) => `mailConfig-${prefix}-${i}`);
  const events = Array.from({ length: streams * EVENTS_PER_STREAM }, (_, i) => sampleEvent(i));
  const t0 = process.hrtime.bigint();
  await pooled(events.length, concurrency, async (i) => {
    const version = Math.floor(i / streams) + 1;
    await subject.append(names[i % streams], version, events[i]);
  });
  const t1 = process.hrtime.bigint();
  let read = 0;
  await pooled(streams * readRepeats, concurrency, async (i) => {
    const n = await subject.read(names[i % streams]); // not `read += await …`: that would lose concurrent updates
    read += n;
  });
  const t2 = process.hrtime.bigint();
  if (read !== streams * readRepeats * EVENTS_PER_STREAM)
    throw new Error(`${subject.name} read ${read} events, expected ${streams * readRepeats * EVENTS_PER_STREAM}`);
  tally.appends += events.length;
  tally.appendNs += Number(t1 - t0);
  tally.reads += streams * readRepeats;
  tally.readNs += Number(t2 - t1);
}

interface Pair {
  store: string;
  adapter: Subject;
  raw: Subject;
  /** Chunks per side, and new streams per chunk. */
  chunks: number;
  streams: number;
  concurrency: number;
  /** How often each stream is read back per chunk. */
  readRepeats: number;
  cleanup?: () => Promise<void>;
}

const perSec = (n: number, ns: number) => n / (ns / 1e9);

/**
 * Adapter and raw run in small alternating chunks (ABBA…), so drift on a shared machine — other
 * processes, the disk, GC — falls on both sides alike; each figure is total work over total time.
 */
async function compare(ctx: BenchContext, pair: Pair): Promise<Row[]> {
  const a: Tally = { appends: 0, appendNs: 0, reads: 0, readNs: 0 };
  const r: Tally = { appends: 0, appendNs: 0, reads: 0, readNs: 0 };
  const warm = Math.max(pair.streams, pair.concurrency * 2);
  await chunk(pair.adapter, 'warm-a', warm, pair.concurrency, 1, { ...a });
  await chunk(pair.raw, 'warm-r', warm, pair.concurrency, 1, { ...r });
  let lastReport = Date.now();
  for (let k = 0; k < pair.chunks; k++) {
    const order: [Subject, Tally, string][] =
      k % 2 === 0
        ? [
            [pair.adapter, a, 'a'],
            [pair.raw, r, 'r'],
          ]
        : [
            [pair.raw, r, 'r'],
            [pair.adapter, a, 'a'],
          ];
    for (const [subject, tally, tag] of order)
      await chunk(subject, `${tag}${k}`, pair.streams, pair.concurrency, pair.readRepeats, tally);
    if (Date.now() - lastReport > 5000 || k === pair.chunks - 1) {
      lastReport = Date.now();
      ctx.log(
        `  ${pair.store} after ${k + 1}/${pair.chunks} chunks: adapter ${perSec(a.appends, a.appendNs).toFixed(0)} appends/s, ${perSec(a.reads, a.readNs).toFixed(0)} reads/s; ` +
          `raw ${perSec(r.appends, r.appendNs).toFixed(0)} appends/s, ${perSec(r.reads, r.readNs).toFixed(0)} reads/s`,
      );
    }
  }
  const row = (what: 'appends' | 'reads'): Row => {
    const value = what === 'appends' ? perSec(a.appends, a.appendNs) : perSec(a.reads, a.readNs);
    const base = what === 'appends' ? perSec(r.appends, r.appendNs) : perSec(r.reads, r.readNs);
    const q = ratio(value, base);
    return {
      measure: `${pair.store}: ${what}/s`,
      value,
      unit: '/s',
      baseline: { label: pair.raw.name, value: base },
      ratio: q,
      target: '≥ 0.8 × raw',
      met: q === null ? null : q >= 0.8,
    };
  };
  return [row('appends'), row('reads')];
}

export const eventStores: Scenario = {
  id: 'event-stores',
  number: 6,
  title: 'Event store adapters',
  description:
    'Appends/s (one event per append with the expected-version check, 10 per stream) and reads/s (a whole 10-event ' +
    'stream) through each EventStore adapter against the library underneath called directly in the same process: a ' +
    'Map for the in-memory store, better-sqlite3 statements on the same schema for SQLite, and the raw ' +
    '`@eventstore/db-client` for EventStoreDB, both talking to the gRPC test server (test/support/esdb) in this process. ' +
    'In-memory and SQLite run one operation at a time (they are synchronous underneath); EventStoreDB 16 at a time. ' +
    'Adapter and raw alternate in small chunks (new streams each), so drift on a shared machine falls on both; each figure ' +
    'is total operations over total time.',
  async run(ctx) {
    const dir = ctx.dir('event-stores');
    const rows: Row[] = [];
    const notes: string[] = [];
    const pairs: (() => Promise<Pair>)[] = [
      async () => ({
        store: 'in-memory',
        adapter: adapter('InMemoryEventStore', new InMemoryEventStore()),
        raw: rawMemory(),
        chunks: ctx.quick ? 2 : 100,
        streams: 100,
        concurrency: 1,
        readRepeats: 3,
      }),
      async () => ({
        store: 'SQLite',
        adapter: adapter('SqliteEventStore', new SqliteEventStore(join(dir, 'adapter.db'))),
        raw: rawSqlite(join(dir, 'raw.db')),
        chunks: ctx.quick ? 2 : 60,
        streams: 50,
        concurrency: 1,
        readRepeats: 3,
      }),
      async () => {
        let startEsdbServer;
        let EventStoreDbEventStore;
        try {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          ({ startEsdbServer } = require('../../test/support/esdb/esdb-server'));
          ({
            EventStoreDbEventStore,
            // eslint-disable-next-line @typescript-eslint/no-require-imports
          } = require('../../src/infrastructure/event-store/eventstoredb/eventstoredb.event-store'));
        } catch (error) {
          throw new Error(
            `the EventStoreDB adapter or its test server is not available: ${(error as Error).message.split('\n')[0]}`,
          );
        }
        // The test server adds an abort listener per read to one signal; 16 reads in flight is not a leak.
        setMaxListeners(64);
        const server = await startEsdbServer({ port: 0 });
        return {
          store: 'EventStoreDB (test server)',
          adapter: adapter('EventStoreDbEventStore', new EventStoreDbEventStore(server.connectionString)),
          raw: rawEsdb(server.connectionString),
          chunks: ctx.quick ? 1 : 16,
          streams: ctx.quick ? 8 : 32,
          concurrency: ctx.quick ? 4 : 16,
          readRepeats: 1,
          cleanup: () => server.stop(),
        };
      },
    ];
    for (const make of pairs) {
      let pair: Pair | undefined;
      try {
        pair = await make();
        ctx.log(
          `  ${pair.store}: ${pair.chunks} chunks per side of ${pair.streams} streams × ${EVENTS_PER_STREAM} appends, ${pair.concurrency} in flight`,
        );
        rows.push(...(await compare(ctx, pair)));
      } catch (error) {
        const message = (error as Error).message.split('\n')[0];
        ctx.log(`  ${pair?.store ?? 'EventStoreDB'}: not measured: ${message}`);
        notes.push(`**${pair?.store ?? 'EventStoreDB'} not measured:** ${message}`);
      } finally {
        await pair?.adapter.close();
        await pair?.raw.close();
        await pair?.cleanup?.();
      }
    }
    notes.push(
      'The EventStoreDB figures measure the adapter against the raw client over the same loopback gRPC connection to the in-process test server; ' +
        'they say what the adapter adds, not how fast a real EventStoreDB is.',
    );
    return { rows, notes };
  },
};
