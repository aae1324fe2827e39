import { type ReadinessResult } from '../health/readiness';
import { type ProjectionStatus } from './projection-runner';
import { type RebuildProgress, type RebuildResult } from './rebuild';

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
