/**
 * Who runs a projection. In the replicated shape every instance asks; one holds the lock and
 * projects, the others stand by and ask again every few seconds, so one takes over when the
 * holder dies. Correctness does not rest on it — every batch checks the shared checkpoint in its
 * own transaction, so a second writer only finds duplicates — it keeps the work in one place.
 */
export const PROJECTION_LOCK = Symbol('PROJECTION_LOCK');

export interface HeldProjectionLock {
  /** Resolves when the lock is lost (connection to the lock's keeper gone): stop projecting. */
  readonly lost: Promise<Error>;
  release(): Promise<void>;
}

export interface ProjectionLock {
  /** One attempt; null while another holder has it. Throws when the keeper cannot be reached. */
  tryAcquire(projection: string): Promise<HeldProjectionLock | null>;
  close(): Promise<void>;
}
