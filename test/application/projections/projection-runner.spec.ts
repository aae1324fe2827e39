import {
  type EventStore,
  type StoredEvent,
  type SubscribeOptions,
  type SubscriptionHandler,
} from '../../../src/application/ports/event-store.port';
import { applyEvents } from '../../../src/application/projections/mail-config.projection';
import {
  append,
  consentRevoked,
  gmailAuthorized,
  modeChanged,
  provisioned,
  type ReadModelsUnderTest,
  recorded,
  Sandbox,
  smtpConfigured,
  smtpTested,
  snapshot,
  waitFor,
} from './projection-fixtures';

/** Counts what the subscription hands to the runner, to prove where a restart resumed. */
function countingDeliveries(store: EventStore): { store: EventStore; delivered: StoredEvent[] } {
  const delivered: StoredEvent[] = [];
  const counting = Object.create(store) as EventStore;
  counting.subscribe = (options: SubscribeOptions, handler: SubscriptionHandler) =>
    store.subscribe(options, { ...handler, onEvent: (e) => (delivered.push(e), handler.onEvent(e)) });
  return { store: counting, delivered };
}

const caughtUpTo = async (readModels: ReadModelsUnderTest, store: EventStore) => {
  const head = await store.headPosition();
  return waitFor(async () => ((await readModels.position()) === head ? true : undefined));
};

describe.each(['memory', 'sqlite'] as const)('projection runner on the %s event store', (kind) => {
  let sandbox: Sandbox;
  beforeEach(() => (sandbox = new Sandbox()));
  afterEach(() => sandbox.cleanup());

  it('reflects a new event in the tenant row and the summary well within a second', async () => {
    const store = sandbox.eventStore(kind);
    const readModels = sandbox.readModels();
    await sandbox.runner(store, readModels).start();
    await append(store, 'acme', recorded(provisioned('acme', 'acme')));
    await caughtUpTo(readModels, store);

    const started = Date.now();
    await append(
      store,
      'acme',
      recorded(smtpConfigured('help@acme.example'), 'ana@acme.example'),
      recorded(smtpTested(false)),
    );
    await waitFor(
      async () => ((await readModels.tenants({ limit: 10 }))[0]?.status === 'needs_attention' ? true : undefined),
      1000,
    );
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await readModels.tenants({ limit: 10 }))[0]).toMatchObject({
      tenantId: 'acme',
      attention: 'smtp_test_failed',
      sender: 'support.acme@smemetrics-email.com',
    });
    // A failed test of a draft (the tenant is still in default mode) needs attention but is not "SMTP failing".
    expect(await readModels.counts()).toMatchObject({ tenants: 1, needsAttention: 1, smtpFailing: 0 });
  });

  it('resumes after a restart from its checkpoint: nothing applied twice, nothing missed', async () => {
    const store = sandbox.eventStore(kind);
    const first = countingDeliveries(store);
    const readModelsA = sandbox.readModels();
    const runnerA = sandbox.runner(first.store, readModelsA);
    await append(store, 'acme', recorded(provisioned('acme', 'acme')), recorded(smtpConfigured('help@acme.example')));
    await append(store, 'acme', recorded({ type: 'MailConfigArchived', data: {} })); // unknown: counted once, not twice
    await runnerA.start();
    await caughtUpTo(readModelsA, store);
    await runnerA.stop();
    readModelsA.close();
    expect(first.delivered).toHaveLength(3);

    // Written while the service is down.
    await append(store, 'acme', recorded(smtpTested(false)));
    await append(store, 'beta', recorded(provisioned('beta', 'beta')));

    const second = countingDeliveries(store);
    const readModelsB = sandbox.readModels(); // the same file, reopened
    const runnerB = sandbox.runner(second.store, readModelsB);
    await runnerB.start();
    await caughtUpTo(readModelsB, store);
    expect(second.delivered.map((e) => e.type)).toEqual(['SmtpConnectionTested', 'MailConfigProvisioned']);
    expect((await runnerB.status()).processed).toEqual({ applied: 2, skipped: 0, duplicate: 0 });

    const audit = await readModelsB.auditEvents({ limit: 100 });
    expect(audit.map((e) => e.position)).toEqual((await store.readAll()).map((e) => e.position));
    expect(await readModelsB.skipped()).toEqual([expect.objectContaining({ type: 'MailConfigArchived', count: 1 })]);
    expect((await readModelsB.tenants({ limit: 10 })).map((t) => [t.tenantId, t.status])).toEqual([
      ['acme', 'needs_attention'],
      ['beta', 'ok'],
    ]);
  });

  it('ignores a redelivered event', async () => {
    const store = sandbox.eventStore(kind);
    const readModels = sandbox.readModels();
    await append(
      store,
      'acme',
      recorded(provisioned('acme', 'acme')),
      recorded(smtpConfigured('a@acme.example')),
      recorded(smtpTested(false)),
    );
    await sandbox.runner(store, readModels).start();
    await caughtUpTo(readModels, store);
    const before = await snapshot(readModels);

    const { generation } = await readModels.checkpoint();
    const outcomes = await applyEvents(readModels.projections, before.audit, generation);
    expect(outcomes).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await snapshot(readModels)).toEqual(before);
  });

  it('skips and reports an event type it does not know, and keeps going', async () => {
    const store = sandbox.eventStore(kind);
    const readModels = sandbox.readModels();
    const runner = sandbox.runner(store, readModels);
    await runner.start();
    await append(store, 'acme', recorded(provisioned('acme', 'acme')));
    await append(store, 'acme', recorded({ type: 'MailConfigArchived', data: { archivedAt: 'later' } }));
    await append(
      store,
      'acme',
      recorded(gmailAuthorized('owner@gmail.example')),
      recorded(modeChanged('default', 'gmail')),
    );
    await caughtUpTo(readModels, store);

    expect((await readModels.tenants({ limit: 10 }))[0]).toMatchObject({
      mode: 'gmail',
      sender: 'owner@gmail.example',
      lastChangeAt: expect.any(String),
    });
    const status = await runner.status();
    expect(status.processed).toEqual({ applied: 3, skipped: 1, duplicate: 0 });
    expect(status.skippedTypes).toEqual([{ type: 'MailConfigArchived', count: 1, lastPosition: 2n }]);
    const ready = await runner.readiness();
    expect(ready).toMatchObject({ ok: true, detail: { skippedEventTypes: { MailConfigArchived: 1 } } });
    // The audit still lists it, as the tenant history does.
    expect(await readModels.auditEvents({ limit: 10, types: ['MailConfigArchived'] })).toHaveLength(1);
  });

  it('rebuilds read models equal to the live run', async () => {
    const store = sandbox.eventStore(kind);
    const readModels = sandbox.readModels();
    const runner = sandbox.runner(store, readModels);
    await runner.start();
    for (let i = 0; i < 30; i++) {
      const id = `t-${String(i).padStart(2, '0')}`;
      await append(store, id, recorded(provisioned(id, `user${i}`)), recorded(smtpConfigured(`help@${id}.example`)));
      if (i % 3 === 0) await append(store, id, recorded(smtpTested(false)));
      if (i % 4 === 0)
        await append(
          store,
          id,
          recorded(gmailAuthorized(`${id}@gmail.example`)),
          recorded(consentRevoked('revoked_at_google')),
        );
      if (i % 5 === 0) await append(store, id, recorded({ type: 'MailConfigArchived', data: {} }));
    }
    await store.appendToStream('oauthState-x', [recorded({ type: 'StateIssued', data: {} })], {
      expectedVersion: 'any',
    });
    await append(store, 't-29', recorded(modeChanged('default', 'smtp')));
    await waitFor(async () =>
      (await runner.status()).checkpoint === (await store.readAll({ streamPrefix: 'mailConfig-' })).pop()!.position
        ? true
        : undefined,
    );
    const live = await snapshot(readModels);
    expect(live.counts).toMatchObject({ tenants: 30, byMode: { default: 29, gmail: 0, smtp: 1 }, gmailRevoked: 8 });

    const progress: bigint[] = [];
    const result = await runner.rebuild((p) => progress.push(p.position));
    expect(result).toMatchObject({ applied: live.audit.length - 6, skipped: 6, duplicate: 0 });
    expect(progress.length).toBeGreaterThan(0);
    expect(await snapshot(readModels)).toEqual(live);

    // A rebuild into a fresh file (the rebuild script's path) gives the same answer too.
    const fresh = sandbox.readModels('fresh.db');
    const { rebuildReadModels } = await import('../../../src/application/projections/rebuild');
    await rebuildReadModels(store, fresh.projections, () => undefined, 7);
    expect(await snapshot(fresh)).toEqual(live);

    // And the live runner keeps going after the rebuild.
    expect(live.counts.smtpFailing).toBe(0);
    await append(store, 't-29', recorded(smtpTested(false)));
    await waitFor(async () => ((await readModels.counts()).smtpFailing === 1 ? true : undefined));
  });
});
