import { type EventStore } from '../../../src/application/ports/event-store.port';
import { type ProjectionStore } from '../../../src/application/ports/projection-store.port';
import { rebuildReadModels } from '../../../src/application/projections/rebuild';
import {
  append,
  provisioned,
  ReadModelsUnderTest,
  recorded,
  Sandbox,
  modeChanged,
  smtpConfigured,
  smtpTested,
  snapshot,
  waitFor,
} from './projection-fixtures';

describe('projection runner under failure, lag and concurrent rebuilds', () => {
  let sandbox: Sandbox;
  beforeEach(() => (sandbox = new Sandbox()));
  afterEach(() => sandbox.cleanup());

  it('is not ready while the oldest unprojected event is older than the threshold', async () => {
    const store = sandbox.eventStore('sqlite');
    const readModels = sandbox.readModels();
    const runner = sandbox.runner(store, readModels, { maxLagMs: 1000 });
    const tenSecondsAgo = new Date(Date.now() - 10_000).toISOString();
    await append(store, 'acme', recorded(provisioned('acme', 'acme'), 'ana', tenSecondsAgo));

    expect(await runner.readiness()).toMatchObject({ ok: false, detail: { error: 'projections are not running' } });
    const behind = await runner.status();
    expect(behind.lagMs).toBeGreaterThanOrEqual(10_000);

    await runner.start();
    await waitFor(async () => ((await readModels.position()) === 1n ? true : undefined));
    expect(await runner.readiness()).toMatchObject({ ok: true, detail: { lagMs: 0, checkpoint: '1', head: '1' } });
  });

  it('reports a failing read-model write, then resubscribes from the checkpoint and catches up', async () => {
    const store = sandbox.eventStore('memory');
    const real = sandbox.readModels();
    let failures = 1;
    const flaky: ProjectionStore = Object.create(real.projections);
    flaky.apply = (tenantIds, plan) =>
      failures-- > 0 ? Promise.reject(new Error('disk I/O error')) : real.projections.apply(tenantIds, plan);
    const runner = sandbox.runner(store, new ReadModelsUnderTest(flaky, real.directory, real.audit), { retryMs: 300 });
    await runner.start();
    await append(store, 'acme', recorded(provisioned('acme', 'acme')));

    const failed = await waitFor(async () => {
      const r = await runner.readiness();
      return r.ok ? undefined : r;
    });
    expect(failed.detail).toMatchObject({ error: 'disk I/O error' });
    await waitFor(async () => ((await real.position()) === 1n ? true : undefined));
    expect(await runner.readiness()).toMatchObject({ ok: true });
    expect(await real.tenants({ limit: 5 })).toHaveLength(1);
  });

  it('restarts from scratch when the checkpoint belongs to another store', async () => {
    const old = sandbox.eventStore('memory');
    const readModels = sandbox.readModels();
    await append(old, 'a', recorded(provisioned('a', 'a')), recorded(smtpConfigured('x@a.example')));
    const first = sandbox.runner(old, readModels);
    await first.start();
    await waitFor(async () => ((await readModels.position()) === 2n ? true : undefined));
    await first.stop();

    const replaced = sandbox.eventStore('memory');
    await append(replaced, 'b', recorded(provisioned('b', 'b')));
    await sandbox.runner(replaced, readModels).start();
    await waitFor(async () =>
      (await readModels.tenants({ limit: 5 })).map((t) => t.tenantId).join() === 'b' ? true : undefined,
    );
  });

  it('lets a rebuild in another process race the live runner and still match a clean run', async () => {
    const store = sandbox.eventStore('sqlite');
    const live = sandbox.readModels();
    const runner = sandbox.runner(store, live);
    await runner.start();
    for (let i = 0; i < 40; i++)
      await append(
        store,
        `t-${i}`,
        recorded(provisioned(`t-${i}`, `u${i}`)),
        recorded(smtpConfigured(`h@t${i}.example`)),
        recorded(modeChanged('default', 'smtp')),
      );

    // Another connection to the same file, as `npm run projections:rebuild` would open.
    const script = sandbox.readModels();
    const writes = (async () => {
      for (let i = 0; i < 40; i++) await append(store, `t-${i}`, recorded(smtpTested(i % 2 === 0)));
    })();
    await rebuildReadModels(store, script.projections, () => undefined, 5);
    await writes;
    const head = await store.headPosition();
    await waitFor(async () => ((await live.position()) === head ? true : undefined));

    const clean = sandbox.readModels('clean.db');
    await rebuildReadModels(store, clean.projections);
    expect(await snapshot(live)).toEqual(await snapshot(clean));
    expect(await live.counts()).toMatchObject({ tenants: 40, smtpFailing: 20 });
  });
});

describe('projection runner with an event store that is down at start', () => {
  it('starts anyway, reports not ready, and catches up once the store answers', async () => {
    const sandbox = new Sandbox();
    try {
      const real = sandbox.eventStore('memory');
      await append(real, 'acme', recorded(provisioned('acme', 'acme')));
      let down = true;
      const flaky: EventStore = Object.create(real);
      flaky.headPosition = () => (down ? Promise.reject(new Error('connection refused')) : real.headPosition());
      flaky.subscribe = (options, handler) => {
        if (down) throw new Error('connection refused');
        return real.subscribe(options, handler);
      };
      const readModels = sandbox.readModels();
      const runner = sandbox.runner(flaky, readModels, { retryMs: 100 });
      await runner.start(); // does not throw
      await expect(runner.readiness()).rejects.toThrow('connection refused'); // the readiness registry reports it as not ready
      down = false;
      await waitFor(async () => ((await readModels.position()) === 1n ? true : undefined));
      expect(await runner.readiness()).toMatchObject({ ok: true });
    } finally {
      await sandbox.cleanup();
    }
  });
});

describe('projection lag with other streams in the store', () => {
  it('ignores foreign events, reads past them only once, and still sees our next pending event', async () => {
    const sandbox = new Sandbox();
    try {
      const real = sandbox.eventStore('sqlite');
      const scans: Array<bigint | undefined> = [];
      const store: EventStore = Object.create(real);
      store.readAll = (options) => (scans.push(options?.after), real.readAll(options));
      const readModels = sandbox.readModels();
      const runner = sandbox.runner(store, readModels);
      await append(real, 'acme', recorded(provisioned('acme', 'acme')));
      await runner.start();
      await waitFor(async () => ((await readModels.position()) === 1n ? true : undefined));
      await runner.stop();
      for (let i = 0; i < 3; i++) {
        await real.appendToStream(
          `oauthState-${i}`,
          [recorded({ type: 'OAuthStateIssued', data: {} }, 'a', new Date(0).toISOString())],
          { expectedVersion: 'no_stream' },
        );
      }

      scans.length = 0;
      expect((await runner.status()).lagMs).toBe(0);
      expect((await runner.status()).lagMs).toBe(0);
      expect(scans).toEqual([1n, 4n]); // the second probe starts after the foreign range

      await append(
        real,
        'beta',
        recorded(provisioned('beta', 'beta'), 'b', new Date(Date.now() - 30_000).toISOString()),
      );
      expect((await runner.status()).lagMs).toBeGreaterThanOrEqual(30_000);
    } finally {
      await sandbox.cleanup();
    }
  });
});
