import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { client, request } from '../support/http';
import { expectProblem, forbidden, recordsNothing, signJwt } from './hostile';

/**
 * Issue #18 item 3: a support JWT bound to one tenant ({role: support, tenant: t-alpha}) used to
 * read every tenant through the cross-tenant support views, since the guard let support routes
 * through before the tenant binding. Those views show every tenant, so such a token is refused there.
 */
const SECRET = 'support-binding-secret-0123456789abcdef';
const hs = (claims: Record<string, unknown>) => signJwt(claims, { alg: 'HS256', secret: SECRET });
const BOUND = forbidden('This token is bound to one tenant; support views show every tenant');

describe('item 3: a tenant-bound support JWT stays with its tenant', () => {
  let svc: TestService;
  let alpha: string;
  let beta: string;
  let token: string;

  beforeAll(async () => {
    svc = await startTestService({ env: { JWT_SECRET: SECRET } });
    alpha = uniqueTenant('alpha');
    beta = uniqueTenant('beta');
    for (const [t, username] of [
      [alpha, 'alphadesk'],
      [beta, 'betadesk'],
    ]) {
      expect((await svc.api.post(`/v1/tenants/${t}/mail-config`, { username })).status).toBe(201);
    }
    token = hs({ sub: 'agent-7', role: 'support', tenant: alpha });
  });
  afterAll(() => svc?.close());

  it.each([
    ['the audit of another tenant', () => `/v1/audit/events?tenantId=${beta}`],
    ['the audit of every tenant', () => '/v1/audit/events'],
    ['the audit of its own tenant (a cross-tenant route)', () => `/v1/audit/events?tenantId=${alpha}`],
    ['the dashboard summary', () => '/v1/dashboard/summary'],
    ['the dashboard tenant list', () => '/v1/dashboard/tenants'],
  ])('is refused %s with 403, and nothing of beta is in the answer', async (_, path) => {
    const res = await recordsNothing(svc, () => client(svc.url, token).get(path()));
    expect(res.status).toBe(403);
    expectProblem(res, BOUND);
    expect(res.text).not.toContain(beta);
    expect(res.text).not.toContain('betadesk');
  });

  it('is refused the dashboard page (the sign-in form, 403), and cannot sign in to get the cookie', async () => {
    const page = await request('GET', `${svc.url}/dashboard`, { token });
    expect(page.status).toBe(403);
    expect(page.text).not.toContain('betadesk');
    const signIn = await request('POST', `${svc.url}/dashboard/session`, { body: { token } });
    expect(signIn.status).toBe(403);
    expect(signIn.headers.get('set-cookie')).toBeNull();
    const withCookie = await request('GET', `${svc.url}/v1/dashboard/tenants`, {
      headers: { cookie: `mcs_support=${encodeURIComponent(token)}` },
    });
    // A cookie holding a token is no session: nobody.
    expect(withCookie.status).toBe(401);
    expect(withCookie.text).not.toContain(beta);
  });

  it('still reads its own tenant, and not another one', async () => {
    const own = await client(svc.url, token).get(`/v1/tenants/${alpha}/mail-config`);
    expect(own.status).toBe(200);
    const other = await client(svc.url, token).get(`/v1/tenants/${beta}/mail-config`);
    expect(other.status).toBe(403);
    expect(other.text).not.toContain('betadesk');
  });

  it('an unbound support JWT and the support token keep every support view', async () => {
    const unbound = client(svc.url, hs({ sub: 'agent-1', role: 'support' }));
    expect((await unbound.get(`/v1/audit/events?tenantId=${beta}`)).status).toBe(200);
    expect((await unbound.get('/v1/dashboard/tenants')).status).toBe(200);
    expect((await svc.support.get('/v1/dashboard/summary')).status).toBe(200);
  });
});
