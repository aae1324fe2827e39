import { type StoredEvent } from './event-store.port';
import { type ProjectionCheckpoint, type SkippedEventType, type TenantRecord } from './read-model.port';

/** Where the projection writes: the read models and their checkpoint, changed together. */
export const PROJECTION_STORE = Symbol('PROJECTION_STORE');

/** What one batch changes; written with the checkpoint in one transaction. */
export interface ReadModelChanges {
  /** Records to insert or replace (the last state of each tenant the batch touched). */
  tenants: TenantRecord[];
  /** Events for the audit index, their data already redacted. */
  audit: Array<{ tenantId: string; event: StoredEvent }>;
  /** Event types the projection did not understand: `count` more of each, seen last at `lastPosition`. */
  skipped: SkippedEventType[];
  /** The checkpoint after the batch. */
  position: bigint;
}

/** What the batch is decided on, read inside its transaction. */
export interface ProjectionView {
  checkpoint: ProjectionCheckpoint;
  /** The current records of the tenants asked for (absent: no record yet). */
  tenants: ReadonlyMap<string, TenantRecord>;
}

/** A batch's decision: the changes to write (null: nothing to write) and what the caller gets back. */
export interface ProjectionPlan<T> {
  changes: ReadModelChanges | null;
  result: T;
}

export interface ProjectionStore {
  checkpoint(): Promise<ProjectionCheckpoint>;
  /**
   * One transaction: takes the checkpoint for update (so writers of the same store, in this or
   * another process or instance, apply one batch at a time), reads the records of `tenantIds`,
   * lets `plan` decide — synchronous and pure, so nothing interleaves between read and write —
   * and writes its changes with the checkpoint. An error thrown by `plan` writes nothing.
   */
  apply<T>(tenantIds: readonly string[], plan: (view: ProjectionView) => ProjectionPlan<T>): Promise<T>;
  /** Empties every read model and the checkpoint, and starts a new generation. */
  reset(): Promise<ProjectionCheckpoint>;
  /** Event types skipped over the whole read model. */
  skipped(): Promise<SkippedEventType[]>;
  close(): Promise<void>;
}
