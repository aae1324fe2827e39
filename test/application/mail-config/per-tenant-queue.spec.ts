import { PerTenantQueue } from '../../../src/application/mail-config/per-tenant-queue';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('PerTenantQueue', () => {
  it('runs work for one key one at a time, in arrival order', async () => {
    const turns = new PerTenantQueue(1000);
    const log: string[] = [];
    const job = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all(
      ['a', 'b', 'c'].map((name) => turns.run('k', job(name), () => new Error('late'))),
    );
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    expect(turns.busy).toBe(0);
  });

  it('lets other keys run meanwhile, and a failure does not block the next in line', async () => {
    const turns = new PerTenantQueue(1000);
    const held = gate();
    const first = turns.run(
      'k',
      () => held.opened.then(() => Promise.reject(new Error('boom'))),
      () => new Error('late'),
    );
    await expect(
      turns.run(
        'other',
        async () => 'free',
        () => new Error('late'),
      ),
    ).resolves.toBe('free');
    const second = turns.run(
      'k',
      async () => 'next',
      () => new Error('late'),
    );
    held.open();
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toBe('next');
  });

  it('gives up waiting after maxWaitMs, while those behind it still wait for the slow one', async () => {
    const turns = new PerTenantQueue(50);
    const held = gate();
    const log: string[] = [];
    const slow = turns.run(
      'k',
      async () => (await held.opened, log.push('slow done')),
      () => new Error('late'),
    );
    const impatient = turns.run(
      'k',
      async () => log.push('impatient ran'),
      () => new Error('waited too long'),
    );
    await expect(impatient).rejects.toThrow('waited too long');
    const behind = turns.run(
      'k',
      async () => log.push('behind ran'),
      () => new Error('late'),
    );
    await tick();
    expect(log).toEqual([]);
    held.open();
    await slow;
    await behind;
    expect(log).toEqual(['slow done', 'behind ran']);
    expect(log).not.toContain('impatient ran');
  });
});
