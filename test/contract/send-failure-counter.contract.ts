import { randomUUID } from 'node:crypto';
import { type SendFailureCounter } from '../../src/application/ports/send-failure-counter.port';

export interface SendFailureCounterFixture {
  counter: SendFailureCounter;
  /** Another counter on the same storage (another instance); the same one where counts are per process. */
  another(): Promise<SendFailureCounter>;
  cleanup(): Promise<void>;
}

export function sendFailureCounterContract(name: string, open: () => Promise<SendFailureCounterFixture>): void {
  describe(`send failure counter contract: ${name}`, () => {
    let fx: SendFailureCounterFixture;
    beforeEach(async () => (fx = await open()));
    afterEach(() => fx.cleanup());

    it('counts consecutive failures per tenant and mode, and starts over after a success', async () => {
      const [t, u] = [`t-${randomUUID()}`, `u-${randomUUID()}`];
      const other = await fx.another();
      expect(await fx.counter.failed(t, 'smtp')).toBe(1);
      expect(await other.failed(t, 'smtp')).toBe(2);
      expect(await fx.counter.failed(u, 'smtp')).toBe(1);
      expect(await other.failed(t, 'gmail')).toBe(1);
      expect(await fx.counter.failed(t, 'gmail')).toBe(2);
      await other.succeeded(t);
      expect(await fx.counter.failed(t, 'gmail')).toBe(1);
      expect(await fx.counter.failed(u, 'smtp')).toBe(2);
    });

    it('loses no failure when instances count at once', async () => {
      const t = `t-${randomUUID()}`;
      const counters = [fx.counter, await fx.another(), await fx.another()];
      const counts = await Promise.all(Array.from({ length: 15 }, (_, i) => counters[i % 3].failed(t, 'smtp')));
      expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    });
  });
}
