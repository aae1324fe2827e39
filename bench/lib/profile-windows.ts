import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * With --profile, a scenario marks the loads it wants attributed: which process served them,
 * when (CLOCK_MONOTONIC µs, the clock V8 stamps its samples with) and how many requests were
 * answered. The summary then divides each component's CPU in that window by those requests.
 */
export interface ProfileWindow {
  pid: number;
  /** What was served: "GET /health/live", "view", "command"… (windows with one label add up). */
  label: string;
  fromUs: number;
  toUs: number;
  requests: number;
}

export const WINDOWS_FILE = 'windows.jsonl';

export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * Runs `work` and records its window (when profiling) under `label` (a kind of request);
 * `loadLabel` names the load itself ("warm-up …" loads are not recorded).
 */
export async function profiled<T>(
  profileDir: string | undefined,
  pid: number,
  label: string,
  loadLabel: string,
  work: () => Promise<T>,
  requestsOf: (result: T) => number,
): Promise<T> {
  const fromUs = monotonicUs();
  const result = await work();
  const toUs = monotonicUs();
  // Warm-ups are left out: a new tenant's first command creates its data key, a cold process JITs.
  if (profileDir && !loadLabel.startsWith('warm-up')) {
    const window: ProfileWindow = { pid, label, fromUs, toUs, requests: requestsOf(result) };
    appendFileSync(join(profileDir, WINDOWS_FILE), `${JSON.stringify(window)}\n`);
  }
  return result;
}
