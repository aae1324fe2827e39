import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Request } from 'express';
import { SupportSessions } from '../../src/infrastructure/support-sessions/support-sessions';
import { sessionCaller } from '../../src/interfaces/http/common/auth.guard';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { request } from '../support/http';
import { expectProblem, PROBLEM_BASE, recordsNothing, unauthorized } from './hostile';

const crossSite = {
  type: `${PROBLEM_BASE}cross-site-request`,
  title: 'Cross-site request refused',
  status: 403,
  detail: 'A request signed in by the dashboard cookie that changes something must come from the dashboard page itself',
};

async function signIn(svc: TestService): Promise<{ cookie: string; setCookie: string }> {
  const res = await request('POST', `${svc.url}/dashboard/session`, { body: { token: svc.supportToken } });
  expect(res.status).toBe(204);
  const setCookie = res.headers.get('set-cookie')!;
  return { cookie: setCookie.split(';')[0], setCookie };
}

/** Issue #18 item 7: the dashboard cookie was the shared support token itself. */
describe('item 7: the dashboard cookie is a server-side session, honoured on support routes only', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('a copied cookie is dead after sign-out, and the cookie holds a session id, not the token', async () => {
    const { cookie } = await signIn(svc);
    const id = cookie.slice('mcs_support='.length);
    expect(decodeURIComponent(id)).not.toBe(svc.supportToken);
    expect(id).not.toContain(encodeURIComponent(svc.supportToken));
    const copy = { cookie };
    expect((await request('GET', `${svc.url}/v1/dashboard/summary`, { headers: copy })).status).toBe(200);
    expect((await request('GET', `${svc.url}/v1/audit/events`, { headers: copy })).status).toBe(200);

    const out = await request('DELETE', `${svc.url}/dashboard/session`, {
      headers: { cookie, 'sec-fetch-site': 'same-origin' },
    });
    expect(out.status).toBe(204);

    for (const path of ['/v1/dashboard/summary', '/v1/audit/events']) {
      const res = await request('GET', svc.url + path, { headers: copy });
      expect(res.status).toBe(401);
      expectProblem(res, unauthorized);
    }
    const page = await request('GET', `${svc.url}/dashboard`, { headers: copy });
    expect(page.status).toBe(401);
    expect(page.text).toContain('<form id="sign-in"');
    // The store keeps the id's hash only: the file never holds what a browser could present.
    const files = readdirSync(svc.dataDir).filter((f) => f.startsWith('support-sessions.db'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(readFileSync(join(svc.dataDir, f)).includes(Buffer.from(id))).toBe(false);
  });

  it('signing in again ends the session the browser held; the token session names no person', async () => {
    const { cookie: first } = await signIn(svc);
    const again = await request('POST', `${svc.url}/dashboard/session`, {
      body: { token: svc.supportToken },
      headers: { cookie: first },
    });
    expect(again.status).toBe(204);
    const second = again.headers.get('set-cookie')!.split(';')[0];
    expect(second).not.toBe(first);
    expect((await request('GET', `${svc.url}/v1/dashboard/summary`, { headers: { cookie: first } })).status).toBe(401);
    const me = await request('GET', `${svc.url}/dashboard/session`, { headers: { cookie: second } });
    expect(me.body).toEqual({ identity: 'support token', personal: false });
  });

  it('the cookie is refused on write routes, a live session or one holding the API token, and nothing is recorded', async () => {
    const tenant = uniqueTenant();
    expect((await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: 'cookie' })).status).toBe(201);
    const { cookie: session } = await signIn(svc);
    const holdingApiToken = `mcs_support=${encodeURIComponent(svc.apiToken)}`;
    const writes: Array<[string, string, unknown]> = [
      ['PUT', `/v1/tenants/${tenant}/mail-config/mode`, { mode: 'default' }],
      ['POST', `/v1/tenants/${uniqueTenant()}/mail-config`, { username: 'forged' }],
      ['DELETE', `/v1/tenants/${tenant}/mail-config`, undefined],
      ['POST', `/v1/tenants/${tenant}/messages`, { to: ['a@b.example'], subject: 's', text: 't' }],
      ['POST', `/v1/tenants/${tenant}/settings-sessions`, {}],
    ];
    await recordsNothing(svc, async () => {
      for (const cookie of [session, holdingApiToken]) {
        for (const [method, path, body] of writes) {
          const res = await request(method, svc.url + path, {
            body,
            headers: { cookie, 'sec-fetch-site': 'same-origin', origin: svc.url },
          });
          expect([method, path, res.status]).toEqual([method, path, 401]);
          expectProblem(res, unauthorized);
        }
        // Not even the main API's reads: the cookie is for the dashboard and its support routes.
        const read = await request('GET', `${svc.url}/v1/tenants/${tenant}/mail-config`, { headers: { cookie } });
        expect(read.status).toBe(401);
      }
    });
    // The API token in the cookie is nobody on the support routes either.
    expect(
      (await request('GET', `${svc.url}/v1/dashboard/summary`, { headers: { cookie: holdingApiToken } })).status,
    ).toBe(401);
    // Machines keep the shared support token as a bearer.
    expect((await svc.support.get('/v1/dashboard/summary')).status).toBe(200);
  });

  it('a state-changing request signed in by the cookie must come from the dashboard itself (CSRF)', async () => {
    const { cookie } = await signIn(svc);
    for (const headers of <Array<Record<string, string>>>[
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
      {},
    ]) {
      const res = await request('DELETE', `${svc.url}/dashboard/session`, { headers: { cookie, ...headers } });
      expect([headers, res.status]).toEqual([headers, 403]);
      expectProblem(res, crossSite);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    // Still signed in: none of those requests ended the session.
    expect((await request('GET', `${svc.url}/v1/dashboard/summary`, { headers: { cookie } })).status).toBe(200);

    // The guard applies the same rule to every support route the cookie signs in (the dashboard's POST actions).
    const sessions = svc.running.app.get(SupportSessions);
    const id = decodeURIComponent(cookie.slice('mcs_support='.length));
    const post = (headers: Record<string, string>) =>
      ({
        method: 'POST',
        protocol: 'http',
        headers: { host: new URL(svc.url).host, cookie: `mcs_support=${id}`, ...headers },
      }) as unknown as Request;
    await expect(
      sessionCaller(post({ 'sec-fetch-site': 'cross-site' }), sessions, 'http://localhost:3000'),
    ).rejects.toMatchObject({
      problem: { status: 403 },
    });
    await expect(
      sessionCaller(post({ origin: 'https://evil.example' }), sessions, 'http://localhost:3000'),
    ).rejects.toMatchObject({
      problem: { status: 403 },
    });
    await expect(
      sessionCaller(post({ 'sec-fetch-site': 'same-origin' }), sessions, 'http://localhost:3000'),
    ).resolves.toMatchObject({
      kind: 'support',
      agent: 'support token',
    });
    await expect(sessionCaller(post({ origin: svc.url }), sessions, 'http://localhost:3000')).resolves.toMatchObject({
      kind: 'support',
    });
  });

  it('Secure is set unless PUBLIC_URL is http (behind a TLS proxy the request itself arrives as http)', async () => {
    const { setCookie: plain } = await signIn(svc);
    expect(plain).toMatch(
      /^mcs_support=[A-Za-z0-9_-]{43}; Max-Age=28800; Path=\/; Expires=.+; HttpOnly; SameSite=Strict$/,
    );
    const tls = await startTestService({ env: { PUBLIC_URL: 'https://support.example.com' } });
    try {
      const { setCookie } = await signIn(tls);
      expect(setCookie).toMatch(/; HttpOnly; Secure; SameSite=Strict$/);
      const out = await request('DELETE', `${tls.url}/dashboard/session`, {
        headers: { cookie: setCookie.split(';')[0], origin: 'https://support.example.com' },
      });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(
        /^mcs_support=; Path=\/; Expires=Thu, 01 Jan 1970 .+; HttpOnly; Secure; SameSite=Strict$/,
      );
    } finally {
      await tls.close();
    }
  });
});
