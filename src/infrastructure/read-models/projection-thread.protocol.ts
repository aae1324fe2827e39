import { type ProjectionSettings } from '../../application/projections/projection-settings';
import { type RebuildProgress } from '../../application/projections/rebuild';

/** What the projection thread is started with. */
export interface ProjectionThreadData {
  eventsFile: string;
  readModelsFile: string;
  settings: ProjectionSettings;
  logLevel: string;
  pollMs: number;
}

/** From the service's event loop to the thread: a call (answered under its id) or a wake-up. */
export type ToThread =
  | { op: 'start' | 'stop' | 'status' | 'readiness' | 'rebuild' | 'close'; id: number }
  | { op: 'appended'; id?: undefined };

/** From the thread: its first message, a call's answer or progress, or a log line. */
export type FromThread =
  | { ready: true }
  | { id: number; value: unknown }
  | { id: number; error: { name: string; message: string } }
  | { id: number; progress: RebuildProgress }
  | { log: string };

export function serialiseError(error: Error): { name: string; message: string } {
  return { name: error?.name ?? 'Error', message: error?.message ?? String(error) };
}
