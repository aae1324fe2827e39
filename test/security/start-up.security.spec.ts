import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startTestService } from '../support/app';
import { REPO_ROOT } from '../support/service-process';

/**
 * Start-up refusals of issue #18, run as operators run the service (its own process): exit code
 * 1, exactly one line on stderr naming the variable or file, no stack, and no secret in it.
 */
export function startProcess(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  // A service that does start is stopped: the refusal did not happen.
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

const LONG_API = 'api-token-for-start-up-tests-0123456789';
const LONG_SUPPORT = 'support-token-for-start-up-tests-0123456789';

describe('item 11: start-up refusals (tokens)', () => {
  const root = mkdtempSync(join(tmpdir(), 'mcs-sec-start-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const freshDir = () => join(root, `data-${n++}`);

  it.each([
    [
      'API_TOKEN equal to SUPPORT_TOKEN',
      { API_TOKEN: LONG_API, SUPPORT_TOKEN: LONG_API },
      'configuration error: SUPPORT_TOKEN: must differ from API_TOKEN: the same value would give support staff write access',
      LONG_API,
    ],
    [
      'a short API_TOKEN',
      { API_TOKEN: 'short-api-token', SUPPORT_TOKEN: LONG_SUPPORT },
      'configuration error: API_TOKEN: must be at least 32 characters, got 15',
      'short-api-token',
    ],
    [
      'a short SUPPORT_TOKEN',
      { API_TOKEN: LONG_API, SUPPORT_TOKEN: 'x'.repeat(31) },
      'configuration error: SUPPORT_TOKEN: must be at least 32 characters, got 31',
      'x'.repeat(31),
    ],
  ])(
    'refuses %s with one line naming the variable, never the token',
    async (_, env, line, secret) => {
      const dataDir = freshDir();
      const run = await startProcess({ DATA_DIR: dataDir, ...env });
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([line]);
      expect(run.stderr).not.toContain(secret);
      expect(run.stdout).not.toContain(secret);
      expect(run.stdout).not.toContain('listening on');
    },
    40_000,
  );

  it('refuses a short token kept in DATA_DIR, naming the file', async () => {
    const dataDir = freshDir();
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dataDir, 'api-token'), 'tiny\n', { mode: 0o600 });
    const run = await startProcess({ DATA_DIR: dataDir, SUPPORT_TOKEN: LONG_SUPPORT });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `configuration error: API_TOKEN: the token in ${join(dataDir, 'api-token')} must be at least 32 characters, got 4`,
    ]);
  }, 40_000);
});

describe('item 5: start-up refusals (the master key)', () => {
  const root = mkdtempSync(join(tmpdir(), 'mcs-sec-key-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const PASSWORD = `smtp-${randomBytes(8).toString('hex')}`;

  /** A DATA_DIR holding one tenant's sealed SMTP password, under a key of its own or `env`'s. */
  async function seeded(name: string, env: Record<string, string> = {}): Promise<string> {
    const dataDir = join(root, name);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const svc = await startTestService({ dataDir, env: env });
    try {
      expect((await svc.api.post('/v1/tenants/t-key/mail-config', { username: 'acme' })).status).toBe(201);
      const saved = await svc.api.put('/v1/tenants/t-key/mail-config/smtp', {
        address: 'help@acme.example',
        host: 'smtp.acme.example',
        port: 587,
        password: PASSWORD,
      });
      expect(saved.status).toBe(200);
    } finally {
      await svc.close();
    }
    return dataDir;
  }

  const expectOneLine = (run: { code: number | null; stdout: string; stderr: string }, line: string) => {
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([line]);
    expect(run.stdout).not.toContain('listening on');
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  };

  it('refuses a master.key that is not base64 of 32 bytes, naming the file', async () => {
    const dataDir = join(root, 'garbage');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dataDir, 'master.key'), 'abc\n', { mode: 0o600 });
    const run = await startProcess({ DATA_DIR: dataDir });
    expectOneLine(run, `configuration error: ${join(dataDir, 'master.key')}: must be base64 of exactly 32 bytes`);
  }, 40_000);

  it('refuses to start when master.key was deleted and data keys exist, so no secret is sealed under a new key', async () => {
    const dataDir = await seeded('deleted');
    rmSync(join(dataDir, 'master.key'));
    const run = await startProcess({ DATA_DIR: dataDir });
    expectOneLine(
      run,
      `configuration error: ${join(dataDir, 'master.key')}: does not open the stored data keys wrapped by master key ` +
        '"local"; restore the master key that wrapped them',
    );
  }, 60_000);

  it('refuses to start with another ENCRYPTION_KEY than the one that wrapped the data keys', async () => {
    const key = randomBytes(32).toString('base64');
    const other = randomBytes(32).toString('base64');
    const dataDir = await seeded('replaced', { ENCRYPTION_KEY: key });
    const run = await startProcess({ DATA_DIR: dataDir, ENCRYPTION_KEY: other });
    expectOneLine(
      run,
      'configuration error: ENCRYPTION_KEY: does not open the stored data keys wrapped by master key "primary"; ' +
        'restore the master key that wrapped them',
    );
    expect(run.stderr).not.toContain(other);
    // The right key still starts.
    const ok = await startTestService({ dataDir, env: { ENCRYPTION_KEY: key } });
    await ok.close();
  }, 60_000);
});

describe('item 12: start-up refusals (one line, no stack)', () => {
  const root = mkdtempSync(join(tmpdir(), 'mcs-sec-lines-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    [
      'LOG_LEVEL=bogus',
      { LOG_LEVEL: 'bogus' },
      'configuration error: LOG_LEVEL: must be one of fatal error warn info debug trace silent, got "bogus"',
    ],
    [
      'a missing SMTP_EXTRA_CA_FILE',
      { SMTP_EXTRA_CA_FILE: '/nonexistent/ca.pem' },
      'configuration error: SMTP_EXTRA_CA_FILE: cannot read the file "/nonexistent/ca.pem"',
    ],
  ])(
    'refuses %s with one line naming the variable',
    async (_, env, line) => {
      const run = await startProcess({ DATA_DIR: join(root, 'data'), ...env });
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([line]);
      expect(run.stdout).not.toContain('listening on');
    },
    40_000,
  );
});
