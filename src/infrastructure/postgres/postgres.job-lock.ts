import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { type JobLock } from '../../application/ports/job-lock.port';
import { unavailableAs } from './postgres-errors';

/** A run's claim lasts this long without renewal (renewed every third of it while the run lives). */
export const JOB_LEASE_MS = 5000;

/*
 * One statement decides a turn. A job never seen is recorded as started now, not run. Otherwise
 * the turn goes to the one caller that finds it due (last run started an interval ago, or its
 * holder's lease ran out mid-run) and not held by a live lease; the row lock orders racing
 * instances, and PostgreSQL's clock is the only clock.
 */
const TAKE = `
INSERT INTO job_locks AS j (job, holder, running, lease_expires_at, last_started_at)
VALUES ($1, $2, false, now(), now())
ON CONFLICT (job) DO UPDATE SET
  holder = excluded.holder, running = true,
  lease_expires_at = now() + $3 * interval '1 millisecond', last_started_at = now()
  WHERE (NOT j.running OR j.lease_expires_at <= now())
    AND (j.last_started_at <= now() - $4 * interval '1 millisecond' OR j.running)
RETURNING running`;

/**
 * Job turns in the replicated shape's PostgreSQL: a lease row per job. Instances that die
 * mid-run stop renewing; the next instance to ask after the lease ran out runs the job again.
 */
export class PostgresJobLock implements JobLock {
  private readonly holder = randomUUID();
  private readonly renewers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly pool: Pool,
    private readonly leaseMs = JOB_LEASE_MS,
  ) {}

  async runIfDue(name: string, intervalMs: number, work: () => Promise<void>): Promise<boolean> {
    const { rows } = await unavailableAs('job lock', () =>
      this.pool.query<{ running: boolean }>({
        name: 'mcs_job_take',
        text: TAKE,
        values: [name, this.holder, this.leaseMs, intervalMs],
      }),
    );
    if (!rows[0]?.running) return false;
    const renewer = setInterval(
      () =>
        void this.pool
          .query(
            `UPDATE job_locks SET lease_expires_at = now() + $3 * interval '1 millisecond'
             WHERE job = $1 AND holder = $2 AND running`,
            [name, this.holder, this.leaseMs],
          )
          .catch(() => undefined),
      Math.max(20, Math.floor(this.leaseMs / 3)),
    ).unref();
    this.renewers.add(renewer);
    try {
      await work();
    } finally {
      clearInterval(renewer);
      const closed = !this.renewers.delete(renewer);
      // After close() the run counts as cut off: another instance may take it over.
      if (!closed) {
        await this.pool
          .query('UPDATE job_locks SET running = false WHERE job = $1 AND holder = $2', [name, this.holder])
          .catch(() => undefined);
      }
    }
    return true;
  }

  async close(): Promise<void> {
    for (const renewer of this.renewers) clearInterval(renewer);
    this.renewers.clear();
  }
}
