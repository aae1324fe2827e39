import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { type RunningService, startService } from '../../src/bootstrap';
import { client, type Client } from './http';
import { testEventStoreEnv } from './store-under-test';

/**
 * The service as e2e tests use it: started in this process on a free port, with its own
 * DATA_DIR, every log line captured, and the real HTTP stack in front.
 */
export interface TestService {
  url: string;
  dataDir: string;
  env: Record<string, string>;
  apiToken: string;
  supportToken: string;
  /** Every log line written so far (JSON). */
  logs: string[];
  api: Client;
  support: Client;
  anonymous: Client;
  running: RunningService;
  /** Stops the service and starts it again on the same DATA_DIR (and the same store). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface TestServiceOptions {
  env?: Record<string, string>;
  dataDir?: string;
  /** Keep DATA_DIR after close (for tests that inspect it). */
  keepDataDir?: boolean;
  /** Listen on this port (default: any free one), e.g. when PUBLIC_URL must be known before start. */
  port?: number;
}

export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'mcs-e2e-'));
  const storeEnv = await testEventStoreEnv();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    DATA_DIR: dataDir,
    SMTP_ALLOW_PRIVATE_HOSTS: 'true',
    ...storeEnv.env,
    ...(options.env ?? {}),
  };
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  let running = await startService({ env, logStream, port: options.port ?? 0 });
  const apiToken = env.API_TOKEN ?? readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
  const supportToken = env.SUPPORT_TOKEN ?? readFileSync(join(dataDir, 'support-token'), 'utf8').trim();
  const service: TestService = {
    url: running.url,
    dataDir,
    env,
    apiToken,
    supportToken,
    logs,
    api: client(running.url, apiToken),
    support: client(running.url, supportToken),
    anonymous: client(running.url, null),
    running,
    async restart() {
      await running.close();
      running = await startService({ env, logStream, port: options.port ?? 0 });
      service.running = running;
      service.url = running.url;
      service.api = client(running.url, apiToken);
      service.support = client(running.url, supportToken);
      service.anonymous = client(running.url, null);
    },
    async close() {
      await running.close();
      await storeEnv.release();
      if (!options.keepDataDir && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return service;
}

export function uniqueTenant(prefix = 't'): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}
