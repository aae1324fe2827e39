/**
 * Scheduled jobs (the Gmail consent check, the revocation retries) run once per interval across
 * every instance of the service, whichever instances are alive: each instance asks on every tick,
 * the lock answers whether it is this one's turn.
 */
export const JOB_LOCK = Symbol('JOB_LOCK');

export interface JobLock {
  /**
   * Runs `work` here if job `name` is due and nobody alive is running it; returns whether it ran.
   * Due: its last run (at any instance) started `intervalMs` ago or more, or was cut off by an
   * instance that died mid-run. The first time a job is asked about, it is recorded as just
   * started without running: the first run comes one interval after the service first started.
   * While `work` runs, the holder keeps its claim alive; a holder that dies loses it within 10 s.
   */
  runIfDue(name: string, intervalMs: number, work: () => Promise<void>): Promise<boolean>;
  /** Stops keeping claims alive; a run still in progress is then as if its instance had died. */
  close(): Promise<void>;
}
