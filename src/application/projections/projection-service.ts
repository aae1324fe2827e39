import { type ReadinessResult } from '../health/readiness';
import { type SkippedEventType } from '../ports/read-model.port';
import { type ApplyOutcome } from './mail-config.projection';
import { type RebuildProgress, type RebuildResult } from './rebuild';

export interface ProjectionStatus {
  running: boolean;
  /** `active`: this instance holds the projection lock and projects; `standby`: another one does. */
  role: 'active' | 'standby';
  /** The subscription has delivered all history and is following live events. */
  caughtUp: boolean;
  /** The shared checkpoint, whichever instance moved it. */
  checkpoint: bigint;
  head: bigint;
  /** How long the oldest event not yet projected has waited (0 when none is waiting). */
  lagMs: number;
  /** metadata.at of the last event applied, and when this process applied it. */
  lastEventAt: string | null;
  lastAppliedAt: string | null;
  /** Outcomes in this process since start. */
  processed: Record<ApplyOutcome, number>;
  /** Event types not understood, over the whole read model (persisted with it). */
  skippedTypes: SkippedEventType[];
  lastError: string | null;
}

/**
 * The projection as the rest of the service sees it: started and stopped with the application,
 * asked for its status (dashboard summary, metrics) and readiness. ProjectionRunner is the
 * projection itself; a shape may host it elsewhere (a worker thread) behind this same face.
 */
export abstract class ProjectionService {
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  abstract status(): Promise<ProjectionStatus>;
  abstract readiness(): Promise<ReadinessResult>;
  /** Empties the read models and replays every event; the live projection resumes afterwards. */
  abstract rebuild(onProgress?: (progress: RebuildProgress) => void): Promise<RebuildResult>;
}
