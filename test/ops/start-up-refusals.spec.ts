import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEsdbServer } from '../support/esdb/esdb-server';
import { REPO_ROOT, spawnService } from '../support/service-process';

/**
 * The deployment shapes' start-up rules, run as operators run the service (its own process):
 * a refusal is exit code 1 and exactly one line naming the variable, and nothing is written to
 * DATA_DIR on the way.
 */

const KEY = randomBytes(32).toString('base64');
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
// Nothing listens there: every refusal below happens before the service connects to anything.
const ESDB = 'esdb://127.0.0.1:1?tls=false';
const PG = `postgres://mcs:${PASSWORD}@127.0.0.1:1/mcs`;

function start(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('start-up refusals of the deployment shapes (real process)', () => {
  const root = mkdtempSync(join(tmpdir(), 'mcs-refusals-'));
  const dataDir = join(root, 'data');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const replicated = { DATA_DIR: dataDir, EVENTSTORE_CONNECTION_STRING: ESDB, DATABASE_URL: PG };
  const cases: Array<[string, Record<string, string>, string]> = [
    [
      'DATABASE_URL without EVENTSTORE_CONNECTION_STRING',
      { DATA_DIR: dataDir, DATABASE_URL: PG },
      'configuration error: DATABASE_URL: is set but EVENTSTORE_CONNECTION_STRING is not: the replicated deployment keeps its events in EventStoreDB',
    ],
    [
      'the replicated shape without a master key',
      { ...replicated, API_TOKEN: 'a'.repeat(32), SUPPORT_TOKEN: 's'.repeat(32) },
      'configuration error: ENCRYPTION_KEY: (or ENCRYPTION_KEYS) must be set when DATABASE_URL is set (replicated deployment): it is never generated into DATA_DIR',
    ],
    [
      'the replicated shape without API_TOKEN and no JWT',
      { ...replicated, ENCRYPTION_KEY: KEY, SUPPORT_TOKEN: 's'.repeat(32) },
      'configuration error: API_TOKEN: must be set when DATABASE_URL is set (replicated deployment): it is never generated into DATA_DIR, unless JWT_SECRET or JWT_PUBLIC_KEY is set',
    ],
    [
      'the replicated shape without SUPPORT_TOKEN and no JWT',
      { ...replicated, ENCRYPTION_KEYS: `k1:${KEY}`, API_TOKEN: 'a'.repeat(32) },
      'configuration error: SUPPORT_TOKEN: must be set when DATABASE_URL is set (replicated deployment): it is never generated into DATA_DIR, unless JWT_SECRET or JWT_PUBLIC_KEY is set',
    ],
    [
      'a DATABASE_URL that is not PostgreSQL',
      { ...replicated, DATABASE_URL: `mysql://mcs:${PASSWORD}@127.0.0.1/mcs` },
      'configuration error: DATABASE_URL: must be a postgres:// or postgresql:// URL',
    ],
    [
      'an sslmode node-postgres cannot honour',
      { ...replicated, DATABASE_URL: `${PG}?sslmode=prefer` },
      'configuration error: DATABASE_URL: sslmode must be one of disable, require, verify-ca, verify-full, got "prefer"',
    ],
  ];

  it.each(cases)(
    'refuses %s with one line naming the variable, writing nothing',
    async (_, env, line) => {
      const run = await start(env);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`${line}\n`);
      expect(run.stdout).toBe('');
      expect(run.stderr).not.toContain(PASSWORD);
      expect(existsSync(dataDir)).toBe(false);
    },
    60_000,
  );
});

describe('the single-node EventStoreDB shape (real process)', () => {
  it('says once at start that DATA_DIR holds the data keys and must be a persistent, backed-up volume', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mcs-single-node-'));
    const server = await startEsdbServer();
    const service = await spawnService(
      {
        DATA_DIR: dataDir,
        EVENTSTORE_CONNECTION_STRING: server.connectionString,
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
      },
      60_000,
    );
    try {
      const said = service.stdout.filter((l) => l.includes('must be a persistent, backed-up volume'));
      expect(said).toHaveLength(1);
      expect(JSON.parse(said[0]).msg).toBe(
        `DATA_DIR (${dataDir}) holds the tenants' data keys: it must be a persistent, backed-up volume ` +
          '(without it the secrets in EventStoreDB cannot be read); set DATABASE_URL to keep them in PostgreSQL',
      );
      expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(['master.key']));
    } finally {
      service.kill();
      await service.exited;
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
