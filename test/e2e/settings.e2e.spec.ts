import { request } from '../support/http';
import { startTestService, type TestService, uniqueTenant } from '../support/app';

const PUBLIC_URL = 'https://mail-config.example';
const APP_ORIGIN = 'https://app.example';

/** The settings page's session links and API over HTTP (the browser walk is test/browser/settings.browser.spec.ts). */
describe('settings page: session links and the page API', () => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await startTestService({
      env: { PUBLIC_URL, OAUTH_RETURN_URL_ORIGINS: APP_ORIGIN, THROTTLE_SMTP_TEST: '2/60' },
    });
  });
  afterAll(() => svc?.close());

  async function provisioned(): Promise<string> {
    const tenant = uniqueTenant('set');
    expect((await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: tenant })).status).toBe(201);
    return tenant;
  }

  async function link(tenant: string, body: Record<string, unknown> = { actor: 'ana@acme.example' }) {
    const res = await svc.api.post(`/v1/tenants/${tenant}/settings-sessions`, body);
    expect(res.status).toBe(201);
    return res.body as { url: string; expiresAt: string };
  }

  /** Opens a link as a browser would, on the service's real address. */
  async function open(url: string) {
    const u = new URL(url);
    expect(u.origin).toBe(PUBLIC_URL);
    return request('GET', `${svc.url}${u.pathname}${u.search}`, { token: null });
  }

  async function session(tenant: string): Promise<{ cookie: string; csrf: string }> {
    const opened = await open((await link(tenant)).url);
    const cookie = opened.headers.get('set-cookie')!.split(';')[0];
    const state = await request('GET', `${svc.url}/settings/api/state`, { headers: { cookie } });
    expect(state.status).toBe(200);
    return { cookie, csrf: state.body.session.csrfToken };
  }

  it('gives the main application a single-use link on PUBLIC_URL, valid for 5 minutes', async () => {
    const tenant = await provisioned();
    const before = Date.now();
    const { url, expiresAt } = await link(tenant, { actor: 'ana@acme.example', returnUrl: `${APP_ORIGIN}/settings` });
    const after = Date.now();
    expect(url).toMatch(/^https:\/\/mail-config\.example\/settings\/open\?link=[A-Za-z0-9._-]+$/);
    // Five minutes from when the service issued it, somewhere between our request and its answer.
    expect(new Date(expiresAt).getTime() - before).toBeGreaterThan(4 * 60_000);
    expect(new Date(expiresAt).getTime() - after).toBeLessThanOrEqual(5 * 60_000);

    const opened = await open(url);
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/settings/mail');
    const setCookie = opened.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^mcs_settings=v1\./);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Max-Age=1800/);
    expect(setCookie).toMatch(/Path=\/settings/);

    const again = await open(url);
    expect(again.status).toBe(410);
    expect(again.text).toContain('This link has expired or was already used');
    expect(again.text).toContain(`href="${APP_ORIGIN}/settings"`);
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('opens exactly once when the same link is opened many times at once', async () => {
    const tenant = await provisioned();
    const { url } = await link(tenant);
    const statuses = (await Promise.all(Array.from({ length: 8 }, () => open(url)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.filter((s) => s === 410)).toHaveLength(7);
  });

  it('refuses support staff, other tenants’ tokens, unknown tenants and foreign return URLs', async () => {
    const tenant = await provisioned();
    expect((await svc.support.post(`/v1/tenants/${tenant}/settings-sessions`, {})).status).toBe(403);
    expect((await svc.anonymous.post(`/v1/tenants/${tenant}/settings-sessions`, {})).status).toBe(401);
    expect((await svc.api.post(`/v1/tenants/${uniqueTenant('none')}/settings-sessions`, {})).status).toBe(404);
    const foreign = await svc.api.post(`/v1/tenants/${tenant}/settings-sessions`, {
      returnUrl: 'https://evil.example/x',
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors[0].field).toBe('returnUrl');
  });

  it('shows the used-or-expired page for a forged link, and the ended page without a session', async () => {
    const forged = await request('GET', `${svc.url}/settings/open?link=abc.123.def`, { token: null });
    expect(forged.status).toBe(410);
    expect(forged.text).not.toMatch(/stack|Error:/);
    const page = await request('GET', `${svc.url}/settings/mail`, { token: null });
    expect(page.status).toBe(401);
    expect(page.text).toContain('Your settings session has ended');
    const api = await request('GET', `${svc.url}/settings/api/state`, { token: null });
    expect(api.status).toBe(401);
    const tampered = await request('GET', `${svc.url}/settings/api/state`, {
      headers: { cookie: 'mcs_settings=v1.eyJ0aWQiOiJ4In0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    });
    expect(tampered.status).toBe(401);
  });

  it('serves the page with a CSP without inline script, framed only by the main application', async () => {
    const tenant = await provisioned();
    const { cookie } = await session(tenant);
    const page = await request('GET', `${svc.url}/settings/mail`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain(`frame-ancestors ${APP_ORIGIN}`);
    expect(page.headers.get('x-frame-options')).toBeNull();
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.text).not.toMatch(/ on[a-z]+=/);
  });

  it('acts on the session’s tenant only, records its actor, and refuses changes without the anti-forgery token', async () => {
    const tenant = await provisioned();
    const other = await provisioned();
    const { cookie, csrf } = await session(tenant);
    const history = async (t: string) =>
      (await svc.api.get(`/v1/tenants/${t}/mail-config/history`)).body.events as { type: string; actor: string }[];
    // force: nothing answers for smtp.acme.example, and the page activates on save (Test first otherwise).
    const smtp = {
      address: 'help@acme.example',
      host: 'smtp.acme.example',
      port: 587,
      password: 'Pw-123456',
      force: true,
    };

    const forged = await request('PUT', `${svc.url}/settings/api/smtp`, { headers: { cookie }, body: smtp });
    expect(forged.status).toBe(403);
    const wrong = await request('PUT', `${svc.url}/settings/api/smtp`, {
      headers: { cookie, 'x-csrf-token': csrf.slice(0, -2) + 'AA' },
      body: smtp,
    });
    expect(wrong.status).toBe(403);
    const crossOrigin = await request('PUT', `${svc.url}/settings/api/smtp`, {
      headers: { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' },
      body: smtp,
    });
    expect(crossOrigin.status).toBe(403);
    expect((await history(tenant)).map((e) => e.type)).toEqual(['MailConfigProvisioned']);

    const saved = await request('PUT', `${svc.url}/settings/api/smtp`, {
      headers: { cookie, 'x-csrf-token': csrf, origin: PUBLIC_URL },
      body: smtp,
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ tenantId: tenant, mode: 'smtp', sender: 'help@acme.example' });
    expect(saved.text).not.toContain('Pw-123456');
    const events = await history(tenant);
    expect(events.map((e) => e.type)).toEqual(['MailConfigProvisioned', 'SmtpConfigured', 'ModeChanged']);
    expect(events.slice(1).map((e) => e.actor)).toEqual(['ana@acme.example', 'ana@acme.example']);
    expect((await history(other)).map((e) => e.type)).toEqual(['MailConfigProvisioned']);

    const back = await request('PUT', `${svc.url}/settings/api/mode`, {
      headers: { cookie, 'x-csrf-token': csrf },
      body: { mode: 'default' },
    });
    expect(back.status).toBe(200);
    expect(back.body.mode).toBe('default');
  });

  it('says Gmail and Microsoft 365 are not set up when the platform has no client for them', async () => {
    const tenant = await provisioned();
    const { cookie, csrf } = await session(tenant);
    const state = await request('GET', `${svc.url}/settings/api/state`, { headers: { cookie } });
    expect(state.body.providers).toEqual({ gmail: { configured: false }, microsoft: { configured: false } });
    const ms = await request('POST', `${svc.url}/settings/api/authorizations/microsoft`, {
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(ms.status).toBe(503);
    // The same 503 as the API's Microsoft route: it names what the platform has not configured.
    expect(ms.body.detail).toBe(
      'Microsoft 365 mode is not available: the service is missing ' +
        'MICROSOFT_CLIENT_ID, MICROSOFT_CLIENT_SECRET, MICROSOFT_REDIRECT_URI',
    );
    const unknown = await request('POST', `${svc.url}/settings/api/authorizations/__proto__`, {
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(unknown.status).toBe(503);
  });

  it('keeps link tokens and session cookies out of every log line', async () => {
    const tenant = await provisioned();
    const { url } = await link(tenant);
    const token = new URL(url).searchParams.get('link')!;
    const opened = await open(url);
    const cookie = opened.headers.get('set-cookie')!.split(';')[0].split('=')[1];
    await request('GET', `${svc.url}/settings/mail`, { headers: { cookie: `mcs_settings=${cookie}` } });
    const logs = svc.logs.join('\n');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(token.split('.')[0]);
    expect(logs).not.toContain(cookie);
  });

  it('does not use up a link on a HEAD request (link checkers)', async () => {
    const tenant = await provisioned();
    const { url } = await link(tenant);
    const u = new URL(url);
    const head = await request('HEAD', `${svc.url}${u.pathname}${u.search}`, { token: null });
    expect(head.status).toBe(200);
    expect(head.headers.get('set-cookie')).toBeNull();
    expect((await open(url)).status).toBe(303);
  });

  it('tests SMTP settings on the page within the tenant’s API budget, shared with the API route', async () => {
    const tenant = await provisioned();
    const { cookie, csrf } = await session(tenant);
    // Port 2 is outside SMTP_ALLOWED_PORTS: the test stops at policy, nothing is contacted.
    const candidate = { address: 'help@acme.example', host: 'smtp.acme.example', port: 2, password: 'x-secret-1' };
    const first = await request('POST', `${svc.url}/settings/api/smtp/test`, {
      headers: { cookie, 'x-csrf-token': csrf },
      body: candidate,
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ ok: false, stage: 'policy' });
    expect(first.text).not.toContain('x-secret-1');
    expect((await svc.api.post(`/v1/tenants/${tenant}/mail-config/smtp/test`, candidate)).status).toBe(200);
    const third = await request('POST', `${svc.url}/settings/api/smtp/test`, {
      headers: { cookie, 'x-csrf-token': csrf },
      body: candidate,
    });
    expect(third.status).toBe(429);
    // Another tenant's budget is untouched.
    const other = await provisioned();
    expect((await svc.api.post(`/v1/tenants/${other}/mail-config/smtp/test`, candidate)).status).toBe(200);
  });
});
