import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandContext, DecideAndAppend } from '../../../src/application/mail-config/decide-and-append';
import { type CommandMetrics } from '../../../src/application/mail-config/command-metrics';
import { StateReader } from '../../../src/application/mail-config/state-reader';
import {
  type AppendResult,
  type EventStore,
  EventStoreUnavailableError,
  type ExpectedVersion,
  type NewEvent,
} from '../../../src/application/ports/event-store.port';
import { type MailConfigCommand } from '../../../src/domain/mail-config/mail-config.commands';
import { EventStoreDbEventStore } from '../../../src/infrastructure/event-store/eventstoredb/eventstoredb.event-store';
import { InMemoryEventStore } from '../../../src/infrastructure/event-store/in-memory.event-store';
import { SqliteEventStore } from '../../../src/infrastructure/event-store/sqlite.event-store';
import { RandomIds, SystemClock } from '../../../src/infrastructure/system/system-clock';
import { startEsdbServer } from '../../support/esdb/esdb-server';

/**
 * The command handler's promises about appends: ids are drawn once per decision, so an append
 * the store did not answer (it may have landed) is re-sent with the same ids and expected
 * version and is stored once; commands on one tenant take turns instead of racing into conflicts.
 */

type Factory = () => Promise<{ store: EventStore; cleanup: () => Promise<void> }>;

const stores: Array<[string, Factory]> = [
  [
    'in-memory',
    async () => {
      const store = new InMemoryEventStore();
      return { store, cleanup: () => store.close() };
    },
  ],
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'handler-'));
      const store = new SqliteEventStore(join(dir, 'events.db'));
      return { store, cleanup: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  ],
  [
    'eventstoredb (test server)',
    async () => {
      const server = await startEsdbServer();
      const store = new EventStoreDbEventStore(server.connectionString);
      return { store, cleanup: async () => (await store.close(), await server.stop()) };
    },
  ],
];

interface AppendCall {
  ids: string[];
  expectedVersion: ExpectedVersion;
}

/**
 * Delegates to a real store and records every append. `landThenTimeOut` appends let the write
 * land and then report what a deadline reports; `unreachable` appends fail without writing.
 */
class FlakyStore implements EventStore {
  readonly appends: AppendCall[] = [];
  landThenTimeOut = 0;
  unreachable = 0;

  constructor(private readonly inner: EventStore) {}

  async appendToStream(
    streamId: string,
    events: NewEvent[],
    options: { expectedVersion: ExpectedVersion },
  ): Promise<AppendResult> {
    this.appends.push({ ids: events.map((e) => e.eventId), expectedVersion: options.expectedVersion });
    if (this.unreachable > 0) {
      this.unreachable--;
      throw new EventStoreUnavailableError('EventStoreDB is unreachable: 14 UNAVAILABLE: No connection established');
    }
    const result = await this.inner.appendToStream(streamId, events, options);
    if (this.landThenTimeOut > 0) {
      this.landThenTimeOut--;
      throw new EventStoreUnavailableError(`EventStoreDB did not answer an append to ${streamId} within 10000 ms`);
    }
    return result;
  }

  readStream: EventStore['readStream'] = (...args) => this.inner.readStream(...args);
  readAll: EventStore['readAll'] = (...args) => this.inner.readAll(...args);
  setStreamMaxAge: EventStore['setStreamMaxAge'] = (...args) => this.inner.setStreamMaxAge(...args);
  subscribe: EventStore['subscribe'] = (...args) => this.inner.subscribe(...args);
  headPosition: EventStore['headPosition'] = () => this.inner.headPosition();
  close: EventStore['close'] = () => this.inner.close();
}

const noMetrics: CommandMetrics = { record: () => undefined, appendLatency: () => undefined };
const ctx: CommandContext = { actor: 'agent@acme.example', correlationId: 'req-1' };
const provision = (tenantId: string): MailConfigCommand => ({
  type: 'ProvisionMailConfig',
  data: { tenantId, username: 'acme', senderDomain: 'smemetrics-email.com' },
});
const configureSmtp = (address: string, activate = true): MailConfigCommand => ({
  type: 'ConfigureSmtp',
  data: {
    address,
    host: 'smtp.acme.example',
    port: 587,
    security: 'starttls',
    username: address,
    password: { keyId: 'k1', ciphertext: 'c2VhbGVk' },
    activate,
    // No Test here: these cases are about appending, not about the activation rule.
    force: activate,
    at: new Date().toISOString(),
  },
});

describe.each(stores)('command handler on %s', (_name, factory) => {
  let inner: EventStore;
  let store: FlakyStore;
  let handler: DecideAndAppend;
  let cleanup: () => Promise<void>;
  let tenant: string;
  const stream = () => `mailConfig-${tenant}`;

  beforeEach(async () => {
    ({ store: inner, cleanup } = await factory());
    store = new FlakyStore(inner);
    handler = new DecideAndAppend(store, new SystemClock(), new RandomIds(), new StateReader(store), noMetrics);
    tenant = `t-${Math.random().toString(36).slice(2, 10)}`;
    await handler.handle(tenant, provision(tenant), ctx);
    store.appends.length = 0;
  });
  afterEach(() => cleanup());

  it('re-sends an append that timed out after landing with the same ids and expected version, and stores it once', async () => {
    store.landThenTimeOut = 1;
    const result = await handler.handle(tenant, configureSmtp('help@acme.example'), ctx);

    expect(store.appends).toHaveLength(2);
    expect(store.appends[1]).toEqual(store.appends[0]);
    expect(store.appends[0].expectedVersion).toBe(1);
    expect(store.appends[0].ids).toHaveLength(2);
    const events = await inner.readStream(stream());
    expect(events.map((e) => e.type)).toEqual(['MailConfigProvisioned', 'SmtpConfigured', 'ModeChanged']);
    expect(events.slice(1).map((e) => e.eventId)).toEqual(store.appends[0].ids);
    expect(result.current.version).toBe(3);
    expect(result.current.state.mode).toBe('smtp');
  });

  it('gives up after one re-send of the same append when the store stays unreachable', async () => {
    store.unreachable = 5;
    await expect(handler.handle(tenant, configureSmtp('help@acme.example'), ctx)).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
    expect(store.appends).toHaveLength(2);
    expect(store.appends[1]).toEqual(store.appends[0]);
    expect((await inner.readStream(stream())).map((e) => e.type)).toEqual(['MailConfigProvisioned']);
    // Once the store answers again, the next command decides on what is really stored.
    store.unreachable = 0;
    const result = await handler.handle(tenant, configureSmtp('help@acme.example'), ctx);
    expect(result.current.version).toBe(3);
  });

  it('decides again with fresh ids after a conflict (another writer), never re-sending the losing ids', async () => {
    // Another process appends between our read and our append.
    const original = store.appendToStream.bind(store);
    let interfered = false;
    store.appendToStream = async (s, events, options) => {
      if (!interfered) {
        interfered = true;
        await inner.appendToStream(s, [{ ...events[0], eventId: '6f1c2a52-9d1e-4d33-9a43-3a7b0a0c6f01' }], {
          expectedVersion: 1,
        });
      }
      return original(s, events, options);
    };
    const result = await handler.handle(tenant, configureSmtp('b@acme.example', false), ctx);
    expect(store.appends).toHaveLength(2);
    expect(store.appends[0].expectedVersion).toBe(1);
    expect(store.appends[1].expectedVersion).toBe(2);
    expect(store.appends[1].ids[0]).not.toBe(store.appends[0].ids[0]);
    expect(result.current.version).toBe(3);
  });

  it('refuses a pinned version after a conflict instead of deciding again: nothing of ours appended', async () => {
    const original = store.appendToStream.bind(store);
    let interfered = false;
    store.appendToStream = async (s, events, options) => {
      if (!interfered) {
        interfered = true;
        await inner.appendToStream(s, [{ ...events[0], eventId: '6f1c2a52-9d1e-4d33-9a43-3a7b0a0c6f02' }], {
          expectedVersion: 1,
        });
      }
      return original(s, events, options);
    };
    await expect(
      handler.handle(tenant, configureSmtp('b@acme.example', false), ctx, { expectedVersion: 1 }),
    ).rejects.toMatchObject({ code: 'VERSION_MISMATCH', details: { currentVersion: 2 } });
    expect(store.appends).toHaveLength(1);
    const events = await inner.readStream(stream());
    expect(events.map((e) => e.eventId)).not.toContain(store.appends[0].ids[0]);
    expect(events).toHaveLength(2);
  });

  it('refuses a stale pinned version before deciding, and accepts the current one', async () => {
    await expect(
      handler.handle(tenant, configureSmtp('b@acme.example'), ctx, { expectedVersion: 0 }),
    ).rejects.toMatchObject({ code: 'VERSION_MISMATCH' });
    expect(store.appends).toHaveLength(0);
    const result = await handler.handle(tenant, configureSmtp('b@acme.example'), ctx, { expectedVersion: 1 });
    expect(result.current.version).toBe(3);
  });

  it('decides a command on the state it last recorded without reading the stream', async () => {
    const reads = jest.spyOn(store, 'readStream');
    await handler.handle(tenant, configureSmtp('a@acme.example', false), ctx);
    await handler.handle(tenant, configureSmtp('b@acme.example', false), ctx);
    expect(reads).not.toHaveBeenCalled();
    expect(store.appends.map((a) => a.expectedVersion)).toEqual([1, 2]);
  });

  it('appends on what another process wrote meanwhile: the stale decision conflicts, the fresh one lands', async () => {
    // Another process (not this handler) records SMTP settings: this process's state is now behind.
    await inner.appendToStream(
      stream(),
      [
        {
          eventId: '6f1c2a52-9d1e-4d33-9a43-3a7b0a0c6f03',
          type: 'SmtpConfigured',
          data: { ...configureSmtp('other@acme.example', false).data, activate: undefined, force: undefined },
          metadata: { ...ctx, at: new Date().toISOString() },
        },
      ],
      { expectedVersion: 1 },
    );
    const result = await handler.handle(tenant, configureSmtp('mine@acme.example', false), ctx);
    expect(store.appends.map((a) => a.expectedVersion)).toEqual([1, 2]);
    expect(result.current.version).toBe(3);
    expect((await inner.readStream(stream())).map((e) => e.type)).toEqual([
      'MailConfigProvisioned',
      'SmtpConfigured',
      'SmtpConfigured',
    ]);
  });

  it('never answers a refusal, a no-op or a version mismatch from a stale state: it reads first', async () => {
    // Another process moved the stream: a pinned version the caller read there is current, though
    // this process's state says otherwise.
    await inner.appendToStream(
      stream(),
      [
        {
          eventId: '6f1c2a52-9d1e-4d33-9a43-3a7b0a0c6f04',
          type: 'SmtpConfigured',
          data: { ...configureSmtp('other@acme.example', false).data, activate: undefined, force: undefined },
          metadata: { ...ctx, at: new Date().toISOString() },
        },
      ],
      { expectedVersion: 1 },
    );
    const result = await handler.handle(tenant, configureSmtp('pinned@acme.example', false), ctx, {
      expectedVersion: 2,
    });
    expect(store.appends.map((a) => a.expectedVersion)).toEqual([2]);
    expect(result.current.version).toBe(3);
  });

  it('writes each event with its schema version: SmtpConfigured 2, the others 1', async () => {
    await handler.handle(tenant, configureSmtp('help@acme.example'), ctx);
    const events = await inner.readStream(stream());
    expect(events.map((e) => [e.type, e.metadata.schemaVersion])).toEqual([
      ['MailConfigProvisioned', 1],
      ['SmtpConfigured', 2],
      ['ModeChanged', 1],
    ]);
  });

  it('runs forty concurrent commands on one tenant one after another: all acknowledged, no conflict, no gap', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => handler.handle(tenant, configureSmtp(`u${i}@acme.example`, false), ctx)),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(store.appends).toHaveLength(40); // not one append lost to a conflict
    const events = await inner.readStream(stream());
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    expect(new Set(events.map((e) => e.eventId)).size).toBe(41);
  });
});

describe('command handler, other tenants', () => {
  it('does not make one tenant wait for another', async () => {
    const inner = new InMemoryEventStore();
    let releaseSlow!: () => void;
    const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
    const store = new FlakyStore(inner);
    const original = store.appendToStream.bind(store);
    store.appendToStream = async (s, events, options) => {
      if (s === 'mailConfig-slow') await slow;
      return original(s, events, options);
    };
    const handler = new DecideAndAppend(store, new SystemClock(), new RandomIds(), new StateReader(store), noMetrics);
    const slowCommand = handler.handle('slow', provision('slow'), ctx);
    await expect(handler.handle('fast', provision('fast'), ctx)).resolves.toMatchObject({ current: { version: 1 } });
    releaseSlow();
    await expect(slowCommand).resolves.toMatchObject({ current: { version: 1 } });
    await expect(handler.handle('slow', provision('slow'), ctx)).resolves.toMatchObject({ events: [] });
  });
});
