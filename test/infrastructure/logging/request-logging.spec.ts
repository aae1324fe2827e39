import { createServer, request as httpRequest, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { PinoLogger } from 'nestjs-pino';
import { storage } from 'nestjs-pino/storage';
import { logContext } from '../../../src/application/common/log-context';
import { CENSOR, rootLogger, scrubSecrets } from '../../../src/infrastructure/logging/logger-options';
import { requestLogContext, requestLogging } from '../../../src/infrastructure/logging/request-logger';

describe('scrubSecrets', () => {
  it('replaces secret-named values at any case and up to four levels down, copying only what it changes', () => {
    const shared = { host: 'smtp.example' };
    const logged = {
      Password: 'p0',
      smtp: { password: 'p1', shared },
      a: { b: { c: { refresh_token: 'p2' } } },
      list: [{ headers: { Authorization: 'Bearer p3', 'Idempotency-Key': 'p4' } }],
      count: 3,
    };
    const out = scrubSecrets(logged);
    expect(out).toEqual({
      Password: CENSOR,
      smtp: { password: CENSOR, shared },
      a: { b: { c: { refresh_token: CENSOR } } },
      list: [{ headers: { Authorization: CENSOR, 'Idempotency-Key': CENSOR } }],
      count: 3,
    });
    expect(out.smtp.shared).toBe(shared);
    expect(logged.smtp.password).toBe('p1');
  });

  it('returns the very object when it holds no secret (the request line costs no copy)', () => {
    const line = { req: { id: 'r1', method: 'GET', url: '/v1/x' }, res: { statusCode: 200 }, responseTime: 1 };
    expect(scrubSecrets(line)).toBe(line);
  });
});

describe('requestLogging', () => {
  const lines: Record<string, unknown>[] = [];
  const scopes: unknown[] = [];
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const root = rootLogger('debug', false, stream);
    const params = { pinoHttp: { logger: root } };
    const inRequest = new PinoLogger(params);
    inRequest.setContext('Probe');
    const middleware = requestLogging(root);
    server = createServer((req, res) =>
      middleware(req, res, () => {
        // No async context is entered for the request (it would turn promise hooks on, issue 19).
        scopes.push(storage.getStore());
        // Logged while serving the request, as the problem filter does: its id and tenant passed explicitly.
        if (req.url?.includes('probe'))
          inRequest.warn({ ...requestLogContext(req), nested: { deeper: { password: 'pw-never-logged' } } }, 'probe');
        // Without them a line is not tied to the request: nothing picks its bindings up implicitly.
        if (req.url?.includes('probe')) inRequest.warn('untied');
        res.statusCode = req.url?.includes('boom') ? 500 : 200;
        res.end('ok');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; id: string }>((resolve, reject) => {
      httpRequest(`${url}${path}`, { headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, id: String(res.headers['x-request-id']) }));
      })
        .on('error', reject)
        .end();
    });

  it('writes one line per request with its id, method, path without the query, tenant and status', async () => {
    const before = scopes.length;
    const { id } = await get('/v1/tenants/acme/mail-config/probe?code=oauth-code-never-logged', {
      'x-request-id': 'req-probe-1',
    });
    expect(id).toBe('req-probe-1');
    expect(scopes.slice(before)).toEqual([undefined]);
    const mine = lines.filter((l) => (l.req as { id?: string } | undefined)?.id === 'req-probe-1');
    expect(mine.map((l) => l.msg)).toEqual(['probe', 'request completed']);
    for (const line of mine) expect(line).toMatchObject({ tenantId: 'acme', req: { id: 'req-probe-1' } });
    // The line logged while serving it: the id and tenant it was given, nothing made up (no empty url).
    expect(mine[0]).toMatchObject({ context: 'Probe', nested: { deeper: { password: CENSOR } } });
    expect(mine[0].req).toEqual({ id: 'req-probe-1' });
    expect(mine[1]).toMatchObject({
      req: { id: 'req-probe-1', method: 'GET', url: '/v1/tenants/acme/mail-config/probe' },
      res: { statusCode: 200 },
    });
    expect(lines.find((l) => l.msg === 'untied')).not.toHaveProperty('req');
    const all = JSON.stringify(lines);
    expect(all).not.toContain('oauth-code-never-logged');
    expect(all).not.toContain('pw-never-logged');
  });

  it('logs a 5xx as "request errored" at error level and leaves health probes out', async () => {
    const before = lines.length;
    expect((await get('/health/live')).status).toBe(200);
    // A probe's id is echoed when it sends one; none is made up for it.
    expect((await get('/health/live', { 'x-request-id': 'probe-7' })).id).toBe('probe-7');
    expect((await get('/health/live')).id).toBe('undefined');
    const { id } = await get('/v1/tenants/acme/boom');
    const added = lines.slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ level: 50, msg: 'request errored', req: { id }, res: { statusCode: 500 } });
  });
});

describe('logContext', () => {
  it("puts a use case's request id (its correlation id) and tenant on the line, as the request line has them", () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const root = rootLogger('info', false, stream);
    const context = { actor: 'someone', correlationId: 'req-uc-1' };
    root.warn({ ...logContext(context, 'acme'), password: 'pw-never-logged' }, 'use case line');
    root.warn(logContext(context), 'no tenant');
    expect(lines[0]).toMatchObject({
      msg: 'use case line',
      req: { id: 'req-uc-1' },
      tenantId: 'acme',
      password: CENSOR,
    });
    expect(lines[0].req).toEqual({ id: 'req-uc-1' });
    expect(lines[1]).toMatchObject({ msg: 'no tenant', req: { id: 'req-uc-1' } });
    expect(lines[1]).not.toHaveProperty('tenantId');
  });
});
