/**
 * Rotation of the master keys that wrap the tenants' data keys (operator task `keys rotate`).
 * Events are never touched: they hold secrets sealed by the data keys, which stay the same.
 */
export const KEY_ROTATION = Symbol('KEY_ROTATION');
export const MASTER_KEYS = Symbol('MASTER_KEYS');

/**
 * Called after each data key re-wrapped. A callback that throws ends the run there: every key is
 * then wrapped by either the old or the new master key, and a later run re-wraps the rest.
 */
export type RotationProgress = (done: number, total: number) => void;

export interface KeyRotation {
  /**
   * Re-wraps every data key not yet wrapped by the active master key; safe to interrupt and to
   * run again. Answers how many it re-wrapped.
   */
  rotate(onProgress?: RotationProgress): Promise<number>;
}

/** The master keys the service holds, by id only: the active one wraps, the others only unwrap. */
export interface MasterKeys {
  readonly activeId: string;
  ids(): string[];
}
