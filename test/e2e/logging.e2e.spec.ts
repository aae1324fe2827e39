import { Logger } from '@nestjs/common';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type EventStore } from '../../src/application/ports/event-store.port';
import { type RunningService, startService } from '../../src/bootstrap';
import { InMemoryEventStore } from '../../src/infrastructure/event-store/in-memory.event-store';
import { request } from '../support/http';
import { spawnService } from '../support/service-process';

/** A store whose disk "fails" for streams of tenants named broken-*: the request ends in a 500. */
function storeFailingFor(prefix: string): EventStore {
  const store = new InMemoryEventStore();
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'appendToStream') {
        return async (streamId: string, ...rest: unknown[]) => {
          if (streamId.includes(prefix)) {
            // A driver error that drags its connection settings along.
            throw Object.assign(new Error('SQLITE_IOERR: disk I/O error'), {
              code: 'SQLITE_IOERR',
              connection: { uri: 'db://user:db-pass-never-logged@host' },
            });
          }
          return (target.appendToStream as (...a: unknown[]) => unknown)(streamId, ...rest);
        };
      }
      return Reflect.get(target, key, receiver);
    },
  });
}

describe('logs', () => {
  const SMTP_PASSWORD = 'Sm7p-Pa55word-never-logged';
  const API_TOKEN = 'api-token-value-never-logged-0123456789';
  const SUPPORT_TOKEN = 'support-token-value-never-logged-9876543210';
  const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
  let dataDir: string;
  let running: RunningService;
  const logs: string[] = [];
  const parsed = () => logs.map((l) => JSON.parse(l));
  const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    request(method, running.url + path, { token: API_TOKEN, body, headers });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcs-logging-'));
    const logStream = new Writable({
      write(chunk, _enc, done) {
        logs.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    running = await startService({
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'debug',
        DATA_DIR: dataDir,
        API_TOKEN,
        SUPPORT_TOKEN,
        ENCRYPTION_KEY,
        SMTP_ALLOW_PRIVATE_HOSTS: 'true',
      },
      logStream,
      port: 0,
      eventStore: storeFailingFor('broken-'),
    });
  });
  afterAll(async () => {
    await running.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('puts the request id and the tenant id on every line of a request, lines logged while handling it too', async () => {
    const res = await api(
      'POST',
      '/v1/tenants/broken-acme/mail-config',
      { username: 'acme' },
      { 'X-Request-Id': 'req-log-1' },
    );
    expect(res.status).toBe(500);
    expect(res.headers.get('x-request-id')).toBe('req-log-1');

    const lines = parsed().filter((l) => JSON.stringify(l).includes('broken-acme') || l.req?.id === 'req-log-1');
    // The line the exception filter logged from inside the request, and pino-http's summary.
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'The service failed to handle this request',
        expect.stringMatching(/request (completed|errored)/),
      ]),
    );
    const handlerLine = lines.find((l) => l.context === 'ProblemFilter')!;
    expect(handlerLine.err).toMatchObject({
      type: 'Error',
      message: 'SQLITE_IOERR: disk I/O error',
      errorCode: 'SQLITE_IOERR',
    });
    expect(handlerLine.err.connection).toBeUndefined();
    expect(logs.join('\n')).not.toContain('db-pass-never-logged');
    for (const line of lines) {
      expect(line).toMatchObject({ req: { id: 'req-log-1' }, tenantId: 'broken-acme' });
    }
  });

  it('generates a request id when none is given and logs the same one it answers with', async () => {
    const res = await api('GET', '/v1/tenants/t-log-2/mail-config');
    expect(res.status).toBe(404);
    const id = res.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = parsed().find((l) => l.req?.id === id)!;
    expect(line).toMatchObject({
      tenantId: 't-log-2',
      req: { method: 'GET', url: '/v1/tenants/t-log-2/mail-config' },
      res: { statusCode: 404 },
    });
  });

  it('writes no secret anywhere: tokens, passwords, OAuth code and state, idempotency keys, keys', async () => {
    const tenant = 't-log-3';
    expect((await api('POST', `/v1/tenants/${tenant}/mail-config`, { username: tenant })).status).toBe(201);
    const smtp = { address: 'mailer@acme.example', host: 'smtp.acme.example', port: 587, password: SMTP_PASSWORD };
    expect((await api('PUT', `/v1/tenants/${tenant}/mail-config/smtp`, smtp)).status).toBe(200);
    await api('PUT', `/v1/tenants/${tenant}/mail-config/smtp`, { ...smtp, port: 'x' }); // 400, body echoed nowhere
    await request('GET', `${running.url}/v1/tenants/${tenant}/mail-config`, {
      token: SUPPORT_TOKEN,
      headers: { cookie: `mcs_support=${SUPPORT_TOKEN}` },
    });
    await request(
      'GET',
      `${running.url}/v1/oauth/google/callback?code=oauth-code-never-logged&state=oauth-state-never-logged`,
    );
    await api(
      'POST',
      `/v1/tenants/${tenant}/messages`,
      { to: ['a@b.example'], subject: 's', text: 't' },
      { 'Idempotency-Key': 'idem-key-never-logged' },
    );
    await request('GET', `${running.url}/v1/tenants/${tenant}/mail-config`, { token: 'wrong-token-never-logged' });
    // A service logging an object that carries secrets, the way Nest code logs: redacted by path.
    new Logger('Probe').warn(
      {
        password: SMTP_PASSWORD,
        smtp: { password: SMTP_PASSWORD },
        refresh_token: 'rt-never-logged',
        headers: { authorization: `Bearer ${API_TOKEN}` },
      },
      'probe with secrets',
    );
    // A library error that carries the request it made (as HTTP client errors do): only the allow-listed fields are written.
    const clientError = Object.assign(new Error('request to the token endpoint failed'), {
      code: 'ECONNRESET',
      config: {
        headers: { Authorization: 'Bearer at-never-logged' },
        body: 'refresh_token=rt-never-logged&client_secret=cs-never-logged',
      },
    });
    new Logger('Probe').error({ err: clientError }, 'token refresh failed');

    const all = logs.join('\n');
    const probe = parsed().find((l) => l.msg === 'probe with secrets')!;
    expect(probe).toMatchObject({
      password: '[redacted]',
      smtp: { password: '[redacted]' },
      refresh_token: '[redacted]',
      headers: { authorization: '[redacted]' },
    });
    const refresh = parsed().find((l) => l.msg === 'token refresh failed')!;
    expect(refresh.err).toMatchObject({
      type: 'Error',
      message: 'request to the token endpoint failed',
      errorCode: 'ECONNRESET',
    });
    expect(refresh.err.config).toBeUndefined();
    const secrets = [
      'at-never-logged',
      'cs-never-logged',
      SMTP_PASSWORD,
      API_TOKEN,
      SUPPORT_TOKEN,
      ENCRYPTION_KEY,
      'oauth-code-never-logged',
      'oauth-state-never-logged',
      'idem-key-never-logged',
      'wrong-token-never-logged',
      'rt-never-logged',
    ];
    for (const secret of secrets) expect(all).not.toContain(secret);
    // The request lines are there: the check above looked at real lines, not an empty log.
    expect(parsed().filter((l) => l.tenantId === tenant).length).toBeGreaterThanOrEqual(6);
    expect(all).toContain('/v1/oauth/google/callback"');
  });
});

describe('log format', () => {
  it('is JSON lines in production and human-readable (pino-pretty) in development', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mcs-logfmt-'));
    try {
      const prod = await spawnService({ NODE_ENV: 'production', DATA_DIR: dataDir });
      prod.child.kill('SIGTERM');
      expect((await prod.exited).code).toBe(0);
      const printed = prod.stdout.filter(Boolean);
      expect(printed.length).toBeGreaterThan(3);
      for (const line of printed) expect(() => JSON.parse(line)).not.toThrow();
      // The generated token's file is named, its content never printed.
      expect(printed.join('\n')).toContain(join(dataDir, 'api-token'));
      expect(printed.join('\n')).not.toContain(readFileSync(join(dataDir, 'api-token'), 'utf8').trim());

      const dev = await spawnService({ NODE_ENV: 'development', DATA_DIR: dataDir });
      dev.child.kill('SIGTERM');
      expect((await dev.exited).code).toBe(0);
      const listening = dev.stdout.find((l) => l.includes('listening on'))!;
      expect(() => JSON.parse(listening)).toThrow();
      expect(listening).toMatch(/INFO/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
