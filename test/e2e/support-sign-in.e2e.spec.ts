import { randomBytes } from 'node:crypto';
import { CLOCK, type Clock } from '../../src/application/ports/clock.port';
import { startTestService, type TestService } from '../support/app';
import { request } from '../support/http';
import { freePort, startOidcProvider, type TestOidcProvider } from '../support/oidc/oidc-provider';

/** The company sign-in's refusals that need no browser (issue 17); the browser test signs in. */
describe('company sign-in for support staff over HTTP', () => {
  let provider: TestOidcProvider;
  let svc: TestService;

  beforeAll(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider(`${publicUrl}/dashboard/oidc/callback`, {
      'ana@help.example': { email: 'ana@help.example', email_verified: true, groups: ['support-agents'] },
    });
    svc = await startTestService({
      port,
      env: {
        PUBLIC_URL: publicUrl,
        SUPPORT_OIDC_ISSUER: provider.issuer,
        SUPPORT_OIDC_CLIENT_ID: provider.clientId,
        SUPPORT_OIDC_CLIENT_SECRET: provider.clientSecret,
        SUPPORT_OIDC_ALLOWED_GROUPS: 'support-agents',
        SUPPORT_OIDC_NAME: 'Help Inc',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await svc?.close();
    await provider?.stop();
  });

  it('starts an authorization code request with PKCE S256, state and nonce, bound to this browser', async () => {
    const page = await request('GET', `${svc.url}/dashboard`);
    expect(page.status).toBe(401);
    expect(page.text).toContain(
      '<a id="company-sign-in" class="button" href="/dashboard/oidc/start">Sign in with Help Inc</a>',
    );

    const start = await request('GET', `${svc.url}/dashboard/oidc/start`);
    expect(start.status).toBe(302);
    const location = new URL(start.headers.get('location')!);
    expect(location.origin).toBe(provider.issuer);
    const q = location.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(provider.clientId);
    expect(q.get('redirect_uri')).toBe(`${svc.url}/dashboard/oidc/callback`);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('scope')).toBe('openid email profile');
    for (const p of ['state', 'nonce', 'code_challenge']) expect(q.get(p)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = start.headers.get('set-cookie')!;
    expect(cookie).toMatch(
      /^mcs_support_oidc=[^;]+; Max-Age=600; Path=\/dashboard\/oidc; Expires=.+; HttpOnly; SameSite=Lax$/,
    );
    // Sealed: neither the state nor anything else of the request reads in clear.
    expect(cookie).not.toContain(q.get('state')!);
  });

  it('a callback that reaches another browser (a forwarded URL) gives no session', async () => {
    const start = await request('GET', `${svc.url}/dashboard/oidc/start`);
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const forwarded = await request('GET', `${svc.url}/dashboard/oidc/callback?code=stolen-code&state=${state}`);
    expect(forwarded.status).toBe(401);
    expect(forwarded.text).toContain(
      'Sign-in with Help Inc failed: the sign-in was not started in this browser or took too long. Try again.',
    );
    expect(forwarded.headers.get('set-cookie')).not.toMatch(/mcs_support=[^;]/);

    // With the browser's cookie but another state: the strategy's state check refuses it.
    const cookie = start.headers.get('set-cookie')!.split(';')[0];
    const forged = await request('GET', `${svc.url}/dashboard/oidc/callback?code=x&state=forged-state`, {
      headers: { cookie },
    });
    expect(forged.status).toBe(401);
    expect(forged.text).toContain('Sign-in with Help Inc failed');
    expect(forged.headers.get('set-cookie')).not.toMatch(/mcs_support=[^;]/);
  });

  it('without the provider configured there is no company sign-in, and the page offers the token only', async () => {
    const plain = await startTestService();
    try {
      expect((await request('GET', `${plain.url}/dashboard/oidc/start`)).status).toBe(404);
      const page = await request('GET', `${plain.url}/dashboard`);
      expect(page.text).not.toContain('company-sign-in');
      expect(page.text).toContain('<label for="token">Support token</label>');
    } finally {
      await plain.close();
    }
  });

  it('an unreachable provider costs company sign-in only: a page says so, the service stays up', async () => {
    const down = await startTestService({
      env: {
        SUPPORT_OIDC_ISSUER: `http://127.0.0.1:${await freePort()}`,
        SUPPORT_OIDC_CLIENT_ID: 'x',
        SUPPORT_OIDC_CLIENT_SECRET: 'y',
        SUPPORT_OIDC_ALLOWED_DOMAINS: 'help.example',
      },
    });
    try {
      const start = await request('GET', `${down.url}/dashboard/oidc/start`);
      expect(start.status).toBe(503);
      expect(start.text).toContain('Sign-in with 127.0.0.1 is unavailable right now. Try again.');
      expect((await request('GET', `${down.url}/health/live`)).status).toBe(200);
    } finally {
      await down.close();
    }
  });
});

/** Support sessions end when unused for SUPPORT_SESSION_IDLE, and token ones when SUPPORT_TOKEN is rotated. */
describe('support sessions: idle timeout and token rotation over HTTP', () => {
  let svc: TestService;
  const MINUTE = 60_000;

  beforeEach(async () => {
    svc = await startTestService({ env: { SUPPORT_SESSION_IDLE: '1800' } });
  });
  afterEach(async () => {
    await svc?.close();
  });

  async function signIn(token: string): Promise<string> {
    const res = await request('POST', `${svc.url}/dashboard/session`, { body: { token } });
    expect(res.status).toBe(204);
    return res.headers.get('set-cookie')!.split(';')[0];
  }

  /** The service's clock (the CLOCK port), moved forward by the test instead of waiting. */
  function advanceableClock(): { advance(ms: number): void } {
    const clock = svc.running.app.get<Clock>(CLOCK);
    let offset = 0;
    clock.now = () => new Date(Date.now() + offset);
    return { advance: (ms) => void (offset += ms) };
  }

  const summary = (cookie: string) => request('GET', `${svc.url}/v1/dashboard/summary`, { headers: { cookie } });

  it('an unused session is refused after the idle time; one in use stays signed in', async () => {
    const clock = advanceableClock();
    const idle = await signIn(svc.supportToken);
    const busy = await signIn(svc.supportToken);
    // Used every 20 minutes for two hours: four times the idle time.
    for (let i = 0; i < 6; i++) {
      clock.advance(20 * MINUTE);
      expect([i, (await summary(busy)).status]).toEqual([i, 200]);
    }
    expect((await summary(idle)).status).toBe(401);
    const page = await request('GET', `${svc.url}/dashboard`, { headers: { cookie: idle } });
    expect(page.status).toBe(401);
    expect(page.text).toContain('<form id="sign-in"');

    clock.advance(30 * MINUTE);
    expect((await summary(busy)).status).toBe(401);
  });

  it('rotating SUPPORT_TOKEN ends the sessions begun with the old token; a restart alone does not', async () => {
    const old = await signIn(svc.supportToken);
    await svc.restart();
    expect((await summary(old)).status).toBe(200);

    const rotated = randomBytes(32).toString('base64url');
    svc.env.SUPPORT_TOKEN = rotated;
    await svc.restart();
    expect((await summary(old)).status).toBe(401);
    const page = await request('GET', `${svc.url}/dashboard`, { headers: { cookie: old } });
    expect(page.status).toBe(401);
    expect(page.text).toContain('<form id="sign-in"');
    expect((await summary(await signIn(rotated))).status).toBe(200);
    // Nothing of either token in the log.
    for (const token of [svc.supportToken, rotated]) expect(svc.logs.join('\n')).not.toContain(token);
  });
});
