import { type JobLock } from '../../application/ports/job-lock.port';

/**
 * The one-instance shapes: this process is the only one that runs jobs, so the lock is a note of
 * when each job last started and whether it is running (a run never overlaps the next one).
 */
export class InProcessJobLock implements JobLock {
  private readonly jobs = new Map<string, { startedAt: number; running: boolean }>();

  constructor(private readonly now: () => number = Date.now) {}

  async runIfDue(name: string, intervalMs: number, work: () => Promise<void>): Promise<boolean> {
    const job = this.jobs.get(name);
    if (!job) {
      this.jobs.set(name, { startedAt: this.now(), running: false });
      return false;
    }
    if (job.running || this.now() - job.startedAt < intervalMs) return false;
    job.startedAt = this.now();
    job.running = true;
    try {
      await work();
    } finally {
      job.running = false;
    }
    return true;
  }

  async close(): Promise<void> {}
}
