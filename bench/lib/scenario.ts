import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type MachineInfo } from './machine';
import { type Row } from './report';
import { type Runtime, type ServiceProcess, startServiceProcess } from './service';

export interface BenchContext {
  repoRoot: string;
  /** Smoke sizes: proves every step works, measures nothing worth quoting. */
  quick: boolean;
  runtime: Runtime;
  machine: MachineInfo;
  /** Set by --profile: every service started writes a CPU profile here when it stops. */
  profileDir?: string;
  log(message: string): void;
  /** A fresh directory under this run's scratch space. */
  dir(name: string): string;
  /** Spawns the service on `dataDir` (a fresh one when absent) and waits until it is ready. */
  startService(
    name: string,
    options?: { dataDir?: string; env?: Record<string, string>; readyTimeoutMs?: number },
  ): Promise<ServiceProcess>;
}

export interface ScenarioOutcome {
  rows: Row[];
  notes: string[];
}

export interface Scenario {
  id: string;
  number: number;
  title: string;
  /** What is measured against what, in a sentence or three (shown in docs/benchmarks.md). */
  description: string;
  run(ctx: BenchContext): Promise<ScenarioOutcome>;
}

/** A prerequisite is missing (a feature not built yet): the scenario is reported as not run. */
export class SkipScenario extends Error {}

export function makeContext(base: Omit<BenchContext, 'dir' | 'startService'> & { workDir: string }): BenchContext {
  let n = 0;
  const ctx: BenchContext = {
    ...base,
    dir(name) {
      const d = join(base.workDir, `${String(++n).padStart(2, '0')}-${name}`);
      mkdirSync(d, { recursive: true });
      return d;
    },
    async startService(name, options = {}) {
      const dataDir = options.dataDir ?? ctx.dir(`${name}-data`);
      const service = await startServiceProcess({
        repoRoot: base.repoRoot,
        runtime: base.runtime,
        dataDir,
        logFile: join(base.workDir, `${name}.service.log`),
        env: options.env,
        readyTimeoutMs: options.readyTimeoutMs,
        profileDir: base.profileDir,
      });
      base.log(`  service "${name}" ready in ${service.readyMs} ms (pid ${service.pid}, ${service.url})`);
      return service;
    },
  };
  return ctx;
}
