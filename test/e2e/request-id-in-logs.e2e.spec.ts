import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { type HttpResponse } from '../support/http';
import { closedPort } from '../support/smtp/peers';
import { message, provision } from '../support/smtp/scenario';

const PASSWORD = 'Sm7p-Pa55-in-a-use-case-never-logged';

/**
 * Issue 19: no AsyncLocalStorage scope ties a line to its request any more; a use case passes the
 * request id (its CommandContext's correlationId) on the lines it logs. Each flow below logs from
 * inside a handler while serving a request; its line must carry the id the caller was answered with.
 */
describe('lines a use case logs while serving a request carry its X-Request-Id', () => {
  let svc: TestService;
  let closed: number;
  const tenant = uniqueTenant('rid');
  const base = `/v1/tenants/${tenant}/mail-config`;
  const smtp = (over: Record<string, unknown> = {}) => ({
    address: 'help@acme.example',
    host: 'localhost',
    port: closed,
    security: 'starttls',
    username: 'help',
    password: PASSWORD,
    ...over,
  });
  /** The lines of the request `res` answered, by the id in its X-Request-Id header. */
  const linesOf = (res: HttpResponse) => {
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    return svc.logs.map((l) => JSON.parse(l)).filter((l) => l.req?.id === id);
  };

  beforeAll(async () => {
    closed = await closedPort();
    svc = await startTestService({ env: { SMTP_ALLOWED_PORTS: String(closed) } });
    await provision(svc, tenant);
  });
  afterAll(() => svc?.close());

  it('the SMTP Test of a candidate nobody answers: the handler line and the request line', async () => {
    const res = await svc.api.post(`${base}/smtp/test`, smtp());
    expect(res.body).toMatchObject({ ok: false, stage: 'connect' });
    const lines = linesOf(res);
    expect(lines.map((l) => l.msg)).toEqual(['SMTP test ran', 'request completed']);
    expect(lines[0]).toMatchObject({
      context: 'TestSmtpHandler',
      tenantId: tenant,
      port: closed,
      outcome: 'failed',
      stage: 'connect',
    });
  });

  it('the Test run before an activation, refused with 409', async () => {
    const res = await svc.api.put(`${base}/smtp`, smtp({ activate: true }));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'SMTP_TEST_FAILED', stage: 'connect' });
    const lines = linesOf(res);
    expect(lines.map((l) => l.msg)).toEqual(['SMTP test ran before activation', 'request completed']);
    expect(lines[0]).toMatchObject({ context: 'SmtpActivationGate', tenantId: tenant, activation: true });
  });

  it('a send that fails at the SMTP server', async () => {
    expect((await svc.api.put(`${base}/smtp`, smtp({ activate: true, force: true }))).status).toBe(200);
    const res = await svc.api.post(`/v1/tenants/${tenant}/messages`, message());
    const lines = linesOf(res);
    expect(lines.map((l) => l.msg)).toContain('message not sent');
    expect(lines.find((l) => l.msg === 'message not sent')).toMatchObject({
      context: 'SendMessageHandler',
      tenantId: tenant,
      mode: 'smtp',
      stage: 'connect',
    });
    expect(lines.at(-1)!.msg).toMatch(/^request (completed|errored)$/);
  });

  it('and still no secret on any line', () => {
    expect(svc.logs.length).toBeGreaterThan(5);
    expect(svc.logs.join('\n')).not.toContain(PASSWORD);
  });
});
