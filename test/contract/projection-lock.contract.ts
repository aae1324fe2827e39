import { type LockFixture } from './read-models.fixture';

export function projectionLockContract(name: string, open: () => Promise<LockFixture>): void {
  describe(`projection lock contract: ${name}`, () => {
    let fx: LockFixture;
    beforeEach(async () => (fx = await open()));
    afterEach(() => fx.cleanup());

    it('has one holder at a time per projection; a release lets the next one take it', async () => {
      const [a, b] = [await fx.instance(), await fx.instance()];
      const held = await a.tryAcquire('mail-config');
      expect(held).not.toBeNull();
      expect(await b.tryAcquire('mail-config')).toBeNull();
      expect(await a.tryAcquire('mail-config')).toBeNull(); // not twice, either
      const elsewhere = await b.tryAcquire('another-projection');
      expect(elsewhere).not.toBeNull();

      await held!.release();
      const next = await b.tryAcquire('mail-config');
      expect(next).not.toBeNull();
      expect(await a.tryAcquire('mail-config')).toBeNull();
      await next!.release();
      await elsewhere!.release();
    });

    it('lets a standby take over when the holder dies, and tells the holder it lost the lock', async () => {
      if (!fx.killHolder) return expect(fx.killHolder).toBeNull(); // one process: nobody to take over
      const [a, b] = [await fx.instance(), await fx.instance()];
      const held = (await a.tryAcquire('mail-config'))!;
      expect(await b.tryAcquire('mail-config')).toBeNull();
      await fx.killHolder(a);
      expect(await held.lost).toBeInstanceOf(Error);
      const taken = await b.tryAcquire('mail-config');
      expect(taken).not.toBeNull();
      // The former holder can stand by again on a new connection and is refused while b holds it.
      expect(await a.tryAcquire('mail-config')).toBeNull();
      await taken!.release();
      expect(await a.tryAcquire('mail-config')).not.toBeNull();
    });
  });
}
