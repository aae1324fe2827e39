export const PROJECTION_SETTINGS = Symbol('PROJECTION_SETTINGS');

export interface ProjectionSettings {
  /** /health/ready fails when the oldest event not yet projected is older than this. */
  maxLagMs: number;
  /** Wait before resubscribing after the subscription or a read-model write failed. */
  retryMs: number;
  /** How often a standby asks for the projection lock (a dead holder is replaced within about this). */
  standbyRetryMs: number;
  /** Most events written in one transaction; events arriving while one commits wait for the next. */
  batchSize: number;
  /**
   * Least time between the starts of two batches while events keep coming (default 10 ms): under
   * load, the events of several appends share one transaction and its writes of the shared pages
   * (checkpoint, audit and index tails). A first event after a quiet spell is applied at once.
   */
  batchIntervalMs?: number;
}

export const DEFAULT_PROJECTION_SETTINGS: ProjectionSettings = {
  maxLagMs: 5000,
  retryMs: 1000,
  standbyRetryMs: 2000,
  batchSize: 500,
  batchIntervalMs: 10,
};
