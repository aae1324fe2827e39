import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { call } from './http';
import { quickBuildDir } from './quick-build';
import { progress } from './progress';

/**
 * How the service is started: the `npm run build` output as `npm start` runs it (dist), the
 * TypeScript sources through @swc-node/register (ts), or a quick swc transpile of them (swc).
 */
export type Runtime = 'dist' | 'ts' | 'swc';

export interface ServiceProcess {
  url: string;
  pid: number;
  dataDir: string;
  apiToken: string;
  supportToken: string;
  /** Milliseconds from spawning the process to the first 200 from /health/ready. */
  readyMs: number;
  /** Resident set size of the service process, in bytes. */
  rss(): number;
  /** CPU time (user + system) the service process has used so far, in seconds (Linux; NaN elsewhere). */
  cpuSeconds(): number;
  stop(): Promise<void>;
  /** Starts it again on the same DATA_DIR, port and secrets (a restart as an operator does it). */
  restart(): Promise<ServiceProcess>;
}

export interface ServiceOptions {
  repoRoot: string;
  runtime: Runtime;
  dataDir: string;
  logFile: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** Write a V8 CPU profile of the service here when it stops (`--profile`). */
  profileDir?: string;
  /** Node flags instead of those of `npm start` (probes comparing flags). */
  nodeFlags?: string[];
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A harness that dies (error, Ctrl-C) takes the services it started with it. */
function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      children.forEach((c) => c.kill('SIGKILL'));
      process.exit(130);
    });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The Node flags of `npm start` (package.json), so the service runs as users start it: the
 * young-generation size (--max-semi-space-size) changes the command path by a fifth.
 */
export function startFlags(repoRoot: string): string[] {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const m = /^node\s+(.*?)\s*dist\/main\.js$/.exec(pkg.scripts?.start ?? '');
  return m && m[1] ? m[1].split(/\s+/) : [];
}

/** `npm run build`, as users do before `npm start`; the benchmarks measure what that produces. */
export function buildService(repoRoot: string): void {
  progress('building the service (npm run build)…');
  const result = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `npm run build failed; benchmarks measure the built service:\n${result.stdout}${result.stderr}`.slice(0, 4000),
    );
  }
}

export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    /* not Linux: ask ps */
  }
  const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  return Number(ps.stdout.trim()) * 1024;
}

export function cpuSecondsOf(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Bytes of every file under `dir`, and of each file by name. */
export function diskUsage(dir: string): { total: number; files: Record<string, number> } {
  const files: Record<string, number> = {};
  let total = 0;
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path, `${prefix}${name}/`);
      else {
        files[`${prefix}${name}`] = st.size;
        total += st.size;
      }
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return { total, files };
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Spawns the service as users start it (`node dist/main.js`, production logging, the embedded
 * SQLite store in DATA_DIR unless the env says otherwise) and waits for /health/ready.
 */
export async function startServiceProcess(
  options: ServiceOptions,
  fixed?: { port: number; apiToken: string; supportToken: string; key: string },
): Promise<ServiceProcess> {
  const port = fixed?.port ?? (await freePort());
  const apiToken = fixed?.apiToken ?? randomBytes(24).toString('base64url');
  const supportToken = fixed?.supportToken ?? randomBytes(24).toString('base64url');
  const key = fixed?.key ?? randomBytes(32).toString('base64');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    PORT: String(port),
    DATA_DIR: options.dataDir,
    API_TOKEN: apiToken,
    SUPPORT_TOKEN: supportToken,
    ENCRYPTION_KEY: key,
    ...(options.env ?? {}),
  };
  const profiling = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const entry: Record<Runtime, string[]> = {
    dist: ['dist/main.js'],
    ts: ['-r', '@swc-node/register', 'src/main.ts'],
    swc: [join(quickBuildDir(options.repoRoot), 'main.js')],
  };
  const args = [...(options.nodeFlags ?? startFlags(options.repoRoot)), ...profiling, ...entry[options.runtime]];
  const out = openSync(options.logFile, 'a');
  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: options.repoRoot,
    env,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  track(child);
  let exited: number | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = code ?? (signal ? 128 : 1);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = started + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (exited !== null)
      throw new Error(`the service exited with ${exited} before it was ready:\n${tail(options.logFile)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `the service was not ready within ${options.readyTimeoutMs ?? 120_000} ms:\n${tail(options.logFile)}`,
      );
    }
    const ready = await call(url, 'GET', '/health/ready', { timeoutMs: 2000 }).catch(() => null);
    if (ready?.status === 200) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const readyMs = Date.now() - started;
  const handle: ServiceProcess = {
    url,
    pid: child.pid!,
    dataDir: options.dataDir,
    apiToken,
    supportToken,
    readyMs,
    rss: () => rssOf(child.pid!),
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    async stop() {
      if (exited !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        progress(`service ${child.pid} did not stop on SIGTERM within 15 s; killing it`);
        child.kill('SIGKILL');
      }, 15_000);
      await exit;
      clearTimeout(timer);
    },
    async restart() {
      await handle.stop();
      return startServiceProcess(options, { port, apiToken, supportToken, key });
    },
  };
  return handle;
}
