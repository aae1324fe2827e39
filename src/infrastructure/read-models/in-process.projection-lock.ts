import { type HeldProjectionLock, type ProjectionLock } from '../../application/ports/projection-lock.port';

/**
 * The embedded and single-node shapes run one instance: the lock is this process's to take. It
 * still refuses a second holder in the process, as the shared lock would.
 */
export class InProcessProjectionLock implements ProjectionLock {
  private readonly held = new Set<string>();

  async tryAcquire(projection: string): Promise<HeldProjectionLock | null> {
    if (this.held.has(projection)) return null;
    this.held.add(projection);
    return {
      lost: new Promise<Error>(() => undefined),
      release: async () => void this.held.delete(projection),
    };
  }

  async close(): Promise<void> {
    this.held.clear();
  }
}
