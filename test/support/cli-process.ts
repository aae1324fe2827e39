import { spawn } from 'node:child_process';
import { REPO_ROOT } from './service-process';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json: any;
}

/** Runs the operator CLI as `npm run cli -- …` does: a separate process, the given environment only. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<CliRun> {
  return run(process.execPath, ['-r', '@swc-node/register', 'src/cli/main.ts', ...args], env, timeoutMs);
}

/** Through npm itself: `npm run --silent cli -- …` (the package.json script operators type). */
export function runNpmCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliRun> {
  return run('npm', ['run', '--silent', 'cli', '--', ...args], env, timeoutMs);
}

function run(command: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cli ${args.join(' ')} did not finish in ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}
