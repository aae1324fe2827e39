/**
 * The framework baseline: a minimal NestJS 11 app on the same adapter as the service (Express),
 * one GET route, no middleware, no logging. Run as its own process so it has the CPU to itself
 * as the service does: `node -r @swc-node/register bench/lib/bare-nest.ts` with PORT set.
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { call } from './http';
import { cpuSecondsOf, freePort } from './service';

export const BARE_PATH = '/ping';

@Controller()
class PingController {
  @Get(BARE_PATH)
  ping(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [PingController] })
class BareModule {}

export interface BareNest {
  url: string;
  pid: number;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Spawns the bare app and waits until its route answers. */
export async function startBareNest(repoRoot: string, profileDir?: string): Promise<BareNest> {
  const port = await freePort();
  const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const entry = [...profiling, '-r', '@swc-node/register', join(__dirname, 'bare-nest.ts')];
  const child: ChildProcess = spawn(process.execPath, entry, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the bare Nest app exited with ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the bare Nest app did not answer within 60 s');
    }
    const r = await call(url, 'GET', BARE_PATH, { timeoutMs: 1000 }).catch(() => null);
    if (r?.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    url,
    pid: child.pid!,
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

if (require.main === module) {
  void (async () => {
    const app = await NestFactory.create(BareModule, { logger: false });
    // Exit (not re-raise the signal as Nest's shutdown hooks do), so --cpu-prof writes its profile.
    process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
    await app.listen(Number(process.env.PORT), '127.0.0.1');
  })();
}
