import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { testCertificates } from '../support/smtp/certs';
import { type Peer, PEER_PASSWORD, PEER_USER, startSmtpPeer } from '../support/smtp/peers';
import { eventTypes, provision } from '../support/smtp/scenario';

/**
 * Every SMTP Test spends the tenant's THROTTLE_SMTP_TEST budget, whichever route runs it: the
 * Test route, and the Test an activation runs first (PUT …/smtp with activate, PUT …/mode).
 */
describe('activation Tests spend the THROTTLE_SMTP_TEST budget', () => {
  let peer: Peer;
  let svc: TestService;

  const base = (t: string) => `/v1/tenants/${t}/mail-config`;
  const settings = (over: Record<string, unknown> = {}) => ({
    address: 'help@acme.example',
    host: 'localhost',
    port: peer.port,
    security: 'starttls',
    username: PEER_USER,
    password: 'not-the-Right-0ne!',
    ...over,
  });
  const tenant = async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    return t;
  };
  const expectThrottled = (res: { status: number; headers: Headers; body: Record<string, unknown> }) => {
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      type: 'https://smemetrics-email.com/problems/rate-limited',
      status: 429,
      detail: expect.stringContaining('Too many SMTP connection tests for this tenant (at most 2 per 60 s)'),
    });
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.body.retryAfter).toBe(retryAfter);
  };

  beforeAll(async () => {
    peer = await startSmtpPeer();
    svc = await startTestService({
      env: {
        SMTP_ALLOWED_PORTS: String(peer.port),
        SMTP_EXTRA_CA_FILE: testCertificates().caFile,
        THROTTLE_SMTP_TEST: '2/60',
      },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await peer?.close();
  });

  it('answers the third failing activation 429, without Test or event; saves without a Test pass', async () => {
    const t = await tenant();
    for (let i = 0; i < 2; i++) {
      const refused = await svc.api.put(`${base(t)}/smtp`, { ...settings(), activate: true });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'SMTP_TEST_FAILED', stage: 'auth' });
    }
    const connections = peer.connections;
    const third = await svc.api.put(`${base(t)}/smtp`, { ...settings(), activate: true });
    expectThrottled(third);
    expect(peer.connections).toBe(connections);
    expect(await eventTypes(svc, t)).toEqual(['MailConfigProvisioned']);

    // PUT …/mode to smtp runs the same Test: refused the same way.
    const saved = await svc.api.put(`${base(t)}/smtp`, settings());
    expect(saved.status).toBe(200);
    expect(saved.body.mode).toBe('default');
    expectThrottled(await svc.api.put(`${base(t)}/mode`, { mode: 'smtp' }));
    expect(peer.connections).toBe(connections);
    expect(await eventTypes(svc, t)).toEqual(['MailConfigProvisioned', 'SmtpConfigured']);

    // The Test route shares the budget.
    expectThrottled(await svc.api.post(`${base(t)}/smtp/test`, settings()));

    // Activation without a Test costs nothing and is not refused.
    const forced = await svc.api.put(`${base(t)}/smtp`, { ...settings(), activate: true, force: true });
    expect(forced.status).toBe(200);
    expect(forced.body.mode).toBe('smtp');
    expect(peer.connections).toBe(connections);
  });

  it('counts Test-route Tests and activation Tests in one budget, per tenant', async () => {
    const t = await tenant();
    const tested = await svc.api.post(`${base(t)}/smtp/test`, settings());
    expect(tested.status).toBe(200);
    expect(tested.body).toMatchObject({ ok: false, stage: 'auth' });
    const refused = await svc.api.put(`${base(t)}/smtp`, { ...settings(), activate: true });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'SMTP_TEST_FAILED' });
    expectThrottled(await svc.api.post(`${base(t)}/smtp/test`, settings()));
    expectThrottled(await svc.api.put(`${base(t)}/smtp`, { ...settings(), activate: true }));
    expect(await eventTypes(svc, t)).toEqual(['MailConfigProvisioned']);

    // Another tenant's budget is its own.
    const other = await tenant();
    const passed = await svc.api.put(`${base(other)}/smtp`, {
      ...settings({ password: PEER_PASSWORD }),
      activate: true,
    });
    expect(passed.status).toBe(200);
    expect(passed.body.mode).toBe('smtp');
  });

  it('does not charge an activation that reuses a passing Test from the last 10 minutes', async () => {
    const t = await tenant();
    const good = settings({ password: PEER_PASSWORD });
    // One Test: the saved configuration's, recorded with its fingerprint.
    expect((await svc.api.put(`${base(t)}/smtp`, good)).status).toBe(200);
    expect((await svc.api.post(`${base(t)}/smtp/test`)).body).toMatchObject({ ok: true });
    // Reused three times over (more than the budget of 2): no Test, no charge.
    for (let i = 0; i < 3; i++) {
      const on = await svc.api.put(`${base(t)}/mode`, { mode: 'smtp' });
      expect(on.status).toBe(200);
      expect(on.body.mode).toBe('smtp');
      expect((await svc.api.put(`${base(t)}/mode`, { mode: 'default' })).status).toBe(200);
    }
    // The one Test spent so far leaves room for exactly one more.
    expect((await svc.api.post(`${base(t)}/smtp/test`, good)).status).toBe(200);
    expectThrottled(await svc.api.post(`${base(t)}/smtp/test`, good));
  });
});
