import { type HeldProjectionLock, type ProjectionLock } from '../../../src/application/ports/projection-lock.port';
import { rebuildReadModels } from '../../../src/application/projections/rebuild';
import { append, provisioned, recorded, Sandbox, smtpConfigured, snapshot, waitFor } from './projection-fixtures';

/** One lock shared by "instances"; each instance's handle can die, as a process or its connection does. */
class SharedLock {
  private holder: { instance: number; lose: (e: Error) => void } | null = null;
  private readonly dead = new Set<number>();

  instance(n: number): ProjectionLock {
    return {
      tryAcquire: async (): Promise<HeldProjectionLock | null> => {
        if (this.dead.has(n) || this.holder) return null;
        let lose!: (e: Error) => void;
        const lost = new Promise<Error>((resolve) => (lose = resolve));
        this.holder = { instance: n, lose };
        return {
          lost,
          release: async () => {
            if (this.holder?.instance === n) this.holder = null;
          },
        };
      },
      close: async () => undefined,
    };
  }

  /** The instance's session ends: it loses the lock and cannot take it again. */
  kill(n: number): void {
    this.dead.add(n);
    if (this.holder?.instance === n) {
      const { lose } = this.holder;
      this.holder = null;
      lose(new Error('connection terminated'));
    }
  }
}

describe('projection runner with a standby', () => {
  let sandbox: Sandbox;
  beforeEach(() => (sandbox = new Sandbox()));
  afterEach(() => sandbox.cleanup());

  it('projects on one instance only; when it loses the lock the standby continues from the shared checkpoint', async () => {
    const store = sandbox.eventStore('memory');
    const lock = new SharedLock();
    const [rmA, rmB] = [sandbox.readModels(), sandbox.readModels()]; // two handles on one storage
    const a = sandbox.runner(store, rmA, {}, lock.instance(1));
    const b = sandbox.runner(store, rmB, { standbyRetryMs: 50 }, lock.instance(2));
    await a.start();
    await b.start();
    expect([(await a.status()).role, (await b.status()).role]).toEqual(['active', 'standby']);

    for (let i = 0; i < 10; i++) await append(store, `t-${i}`, recorded(provisioned(`t-${i}`, `u${i}`)));
    await waitFor(async () => ((await rmB.position()) === 10n ? true : undefined));
    // The standby answers readiness too, measured against the checkpoint the holder moves.
    expect(await b.readiness()).toMatchObject({ ok: true, detail: { role: 'standby', checkpoint: '10', lagMs: 0 } });

    lock.kill(1);
    await waitFor(async () => ((await b.status()).role === 'active' ? true : undefined));
    expect((await a.status()).role).toBe('standby');
    for (let i = 0; i < 10; i++) await append(store, `t-${i}`, recorded(smtpConfigured(`h@t${i}.example`)));
    await waitFor(async () => ((await rmA.position()) === 20n ? true : undefined));

    const [sa, sb] = [await a.status(), await b.status()];
    expect(sa.processed).toEqual({ applied: 10, skipped: 0, duplicate: 0 });
    expect(sb.processed).toEqual({ applied: 10, skipped: 0, duplicate: 0 });
    const clean = sandbox.readModels('clean.db');
    await rebuildReadModels(store, clean.projections);
    expect(await snapshot(rmA)).toEqual(await snapshot(clean));
  });

  it('stays a standby while another instance holds the lock, projecting nothing, and says so', async () => {
    const store = sandbox.eventStore('memory');
    const lock = new SharedLock();
    await lock.instance(9).tryAcquire('mail-config'); // held elsewhere, and never given up
    const rm = sandbox.readModels();
    const own = lock.instance(1);
    let attempts = 0;
    const counted: ProjectionLock = { ...own, tryAcquire: (p) => (attempts++, own.tryAcquire(p)) };
    const runner = sandbox.runner(store, rm, { standbyRetryMs: 20 }, counted);
    await append(store, 'acme', recorded(provisioned('acme', 'acme')));
    await runner.start();
    // It keeps asking (about every standbyRetryMs) and is refused each time.
    await waitFor(() => (attempts >= 3 ? true : undefined));
    expect(await runner.status()).toMatchObject({ running: true, role: 'standby', checkpoint: 0n });
    expect((await runner.status()).processed).toEqual({ applied: 0, skipped: 0, duplicate: 0 });
  });
});
