import { randomUUID } from 'node:crypto';
import { type JobLock } from '../../src/application/ports/job-lock.port';

export interface JobLockFixture {
  lock: JobLock;
  /** Another instance's lock on the same storage (the same lock where only one instance runs jobs). */
  another(): Promise<JobLock>;
  /** Makes every job's last start `ms` older. */
  elapse(ms: number): Promise<void>;
  /** Whether instances can die apart from one another (false: one process is every instance). */
  instancesDieApart: boolean;
  /** How long a run's claim outlives a holder that died. */
  leaseMs: number;
  cleanup(): Promise<void>;
}

const HOUR = 60 * 60 * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Work that runs until released, and says when it started. */
function held() {
  let release!: () => void;
  let started!: () => void;
  const done = new Promise<void>((r) => (release = r));
  const running = new Promise<void>((r) => (started = r));
  return {
    work: async () => {
      started();
      await done;
    },
    running,
    release: () => release(),
  };
}

export function jobLockContract(name: string, open: () => Promise<JobLockFixture>): void {
  describe(`job lock contract: ${name}`, () => {
    let fx: JobLockFixture;
    const others: JobLock[] = [];
    const another = async () => others[others.push(await fx.another()) - 1];
    beforeEach(async () => (fx = await open()));
    afterEach(async () => {
      for (const l of others.splice(0)) await l.close();
      await fx.cleanup();
    });

    it('waits one interval after first hearing of a job, then runs it once per interval', async () => {
      const job = `job-${randomUUID()}`;
      let runs = 0;
      const work = async () => void runs++;
      expect(await fx.lock.runIfDue(job, HOUR, work)).toBe(false);
      await fx.elapse(HOUR - 60_000);
      expect(await fx.lock.runIfDue(job, HOUR, work)).toBe(false);
      await fx.elapse(60_000);
      expect(await fx.lock.runIfDue(job, HOUR, work)).toBe(true);
      expect(await (await another()).runIfDue(job, HOUR, work)).toBe(false);
      expect(await fx.lock.runIfDue(job, HOUR, work)).toBe(false);
      await fx.elapse(HOUR);
      expect(await (await another()).runIfDue(job, HOUR, work)).toBe(true);
      expect(runs).toBe(2);
    });

    it('gives a due job to exactly one of several instances asking at once', async () => {
      const job = `job-${randomUUID()}`;
      const locks = [fx.lock, await another(), await another()];
      let runs = 0;
      await fx.lock.runIfDue(job, HOUR, async () => {});
      for (let round = 1; round <= 3; round++) {
        await fx.elapse(HOUR);
        const ran = await Promise.all(
          Array.from({ length: 9 }, (_, i) => locks[i % 3].runIfDue(job, HOUR, async () => void runs++)),
        );
        expect(ran.filter(Boolean)).toHaveLength(1);
        expect(runs).toBe(round);
      }
    });

    it('does not start a run while another is still running, even when the next one is due', async () => {
      const job = `job-${randomUUID()}`;
      const other = await another();
      await fx.lock.runIfDue(job, HOUR, async () => {});
      await fx.elapse(HOUR);
      const first = held();
      const running = fx.lock.runIfDue(job, HOUR, first.work);
      await first.running;
      await fx.elapse(2 * HOUR);
      // A live holder keeps its claim past the lease.
      await sleep(fx.leaseMs * 2 + 100);
      expect(await other.runIfDue(job, HOUR, async () => {})).toBe(false);
      first.release();
      expect(await running).toBe(true);
      await fx.elapse(HOUR);
      expect(await other.runIfDue(job, HOUR, async () => {})).toBe(true);
    });

    it('lets another instance run a job again once the holder died mid-run', async () => {
      if (!fx.instancesDieApart) {
        // One process is every instance: when it dies nobody is left to take over.
        expect(await fx.another()).toBe(fx.lock);
        return;
      }
      const job = `job-${randomUUID()}`;
      const dying = await fx.another();
      const other = await another();
      await dying.runIfDue(job, HOUR, async () => {});
      await fx.elapse(HOUR);
      const cut = held();
      void dying.runIfDue(job, HOUR, cut.work);
      await cut.running;
      await dying.close();
      let ran = false;
      const started = Date.now();
      while (!ran && Date.now() - started < 10_000) {
        ran = await other.runIfDue(job, HOUR, async () => {});
        if (!ran) await sleep(50);
      }
      expect(ran).toBe(true);
      cut.release();
    });
  });
}
