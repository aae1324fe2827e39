import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call } from './http';
import { progress } from './progress';
import { type ServiceProcess } from './service';

export interface ProjectionState {
  checkpoint: number;
  head: number;
  lagMs: number;
}

/** The projections' checkpoint, head and lag as /health/ready reports them; null when the service has no projections. */
export async function projectionState(service: ServiceProcess): Promise<ProjectionState | null> {
  const r = await call(service.url, 'GET', '/health/ready');
  const detail = r.body?.checks?.projections?.detail;
  if (!detail) return null;
  return { checkpoint: Number(detail.checkpoint), head: Number(detail.head), lagMs: Number(detail.lagMs ?? 0) };
}

/** Waits until the projections have applied every event in the store (or there are none). */
export async function waitForProjections(
  service: ServiceProcess,
  timeoutMs = 600_000,
): Promise<ProjectionState | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await projectionState(service);
    if (state === null || state.checkpoint >= state.head) return state;
    if (Date.now() > deadline)
      throw new Error(`projections still at ${state.checkpoint}/${state.head} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** GET /v1/dashboard/summary with the support token; null while the route does not exist. */
export async function dashboardSummary(
  service: ServiceProcess,
): Promise<{ checkpoint: number; lagMs: number; tenants: number } | null> {
  const r = await call(service.url, 'GET', '/v1/dashboard/summary', { token: service.supportToken });
  if (r.status === 404) return null;
  if (r.status !== 200) throw new Error(`GET /v1/dashboard/summary: HTTP ${r.status}`);
  return { checkpoint: Number(r.body.checkpoint), lagMs: Number(r.body.lagMs), tenants: Number(r.body.tenants) };
}

export function hasScript(repoRoot: string, name: string): boolean {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  return Boolean(pkg.scripts?.[name]);
}

/** `npm run projections:rebuild` on DATA_DIR, as an operator runs it after a bulk import; milliseconds taken. */
export async function rebuildProjections(repoRoot: string, dataDir: string): Promise<number> {
  const t0 = Date.now();
  const child = spawn('npm', ['run', '--silent', 'projections:rebuild'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATA_DIR: dataDir,
      NODE_ENV: 'production',
      // The CLI starts only with a master key; a rebuild opens no secret, so any key will do.
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let lastReport = Date.now();
  const onData = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
    const lines = output.trim().split('\n');
    if (Date.now() - lastReport >= 5000) {
      lastReport = Date.now();
      progress(`  ${lines[lines.length - 1].trim()}`);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  if (code !== 0)
    throw new Error(`npm run projections:rebuild failed: ${output.trim().split('\n').slice(-3).join(' ')}`);
  return Date.now() - t0;
}
