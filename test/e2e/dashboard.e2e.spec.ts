import { eventually, recordTrouble, smtpSettings } from '../browser/dashboard-fixtures';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { request } from '../support/http';

describe('support dashboard over HTTP', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc.close();
  });

  const summary = async () => (await svc.support.get('/v1/dashboard/summary')).body;
  const row = async (tenantId: string) =>
    (await svc.support.get(`/v1/dashboard/tenants?q=${tenantId}`)).body.tenants.find(
      (t: { tenantId: string }) => t.tenantId === tenantId,
    );

  describe('access', () => {
    const routes = ['/v1/dashboard/summary', '/v1/dashboard/tenants', '/v1/audit/events'];

    it('answers 401 without a token and 403 for the main application token, on the API and the page', async () => {
      for (const path of routes) {
        const none = await svc.anonymous.get(path);
        expect([path, none.status, none.headers.get('content-type')]).toEqual([
          path,
          401,
          expect.stringContaining('application/problem+json'),
        ]);
        const app = await svc.api.get(path);
        expect([path, app.status, app.body.title]).toEqual([path, 403, 'Forbidden']);
        expect([path, (await svc.support.get(path)).status]).toEqual([path, 200]);
      }
      const page = await svc.anonymous.get('/dashboard');
      expect(page.status).toBe(401);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.text).toContain('<form id="sign-in" method="post" action="/dashboard/session">');
      const appPage = await svc.api.get('/dashboard');
      expect(appPage.status).toBe(403);
      expect(appPage.text).toContain('does not give access to the support dashboard');
      const supportPage = await svc.support.get('/dashboard');
      expect(supportPage.status).toBe(200);
      expect(supportPage.text).toContain('id="tenants"');
      expect(supportPage.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(supportPage.headers.get('cache-control')).toBe('no-store');
    });

    it('signs in with the token in a JSON body and keeps it in an HttpOnly, SameSite=Strict cookie', async () => {
      const signIn = (token: string) => request('POST', `${svc.url}/dashboard/session`, { body: { token } });
      expect((await signIn('not-a-token')).status).toBe(401);
      expect((await signIn(svc.apiToken)).status).toBe(403);
      const ok = await signIn(svc.supportToken);
      expect(ok.status).toBe(204);
      const setCookie = ok.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/^mcs_support=[^;]+; Max-Age=28800; Path=\/; Expires=.+; HttpOnly; SameSite=Strict$/);
      const cookie = setCookie.split(';')[0];
      expect((await request('GET', `${svc.url}/dashboard`, { headers: { cookie } })).status).toBe(200);
      expect((await request('GET', `${svc.url}/v1/dashboard/summary`, { headers: { cookie } })).status).toBe(200);
      // The cookie is no credential outside support routes: nothing can be changed with it.
      expect(
        (
          await request('PUT', `${svc.url}/v1/tenants/t-x/mail-config/mode`, {
            headers: { cookie },
            body: { mode: 'default' },
          })
        ).status,
      ).toBe(401);
      const out = await request('DELETE', `${svc.url}/dashboard/session`, { headers: { cookie, origin: svc.url } });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/^mcs_support=; Path=\/; Expires=Thu, 01 Jan 1970/);
    });

    it('publishes the dashboard and audit routes in the OpenAPI document', async () => {
      const doc = (await svc.anonymous.get('/docs-json')).body;
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(routes));
      expect(doc.paths['/v1/audit/events'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
        'X-Request-Id',
        'cursor',
        'limit',
        'since',
        'tenantId',
        'type',
        'until',
      ]);
    });

    it('serves the page script and stylesheet without credentials (they hold no data)', async () => {
      const js = await svc.anonymous.get('/dashboard/assets/dashboard.js');
      expect([js.status, js.headers.get('content-type')]).toEqual([200, expect.stringContaining('javascript')]);
      expect((await svc.anonymous.get('/dashboard/assets/dashboard.css')).status).toBe(200);
    });
  });

  it('reflects a command in the summary and the tenant row within one second of its answer', async () => {
    const t = uniqueTenant('fast');
    const before = await summary();
    const provisioned = await svc.api.post(
      `/v1/tenants/${t}/mail-config`,
      { username: 'fast' },
      { 'x-actor': 'ana@help.example' },
    );
    expect(provisioned.status).toBe(201);
    let returned = Date.now();
    await eventually(
      async () => ((await summary()).tenants === before.tenants + 1 ? true : undefined),
      1000,
      'summary count',
    );
    expect(await row(t)).toEqual({
      tenantId: t,
      username: 'fast',
      mode: 'default',
      sender: 'support.fast@smemetrics-email.com',
      status: 'ok',
      attention: null,
      reason: null,
      lastChangeAt: provisioned.body.updatedAt,
      lastChangeBy: 'ana@help.example',
      duplicateUsername: false,
    });
    expect(Date.now() - returned).toBeLessThan(1000);

    expect(
      (await svc.api.put(`/v1/tenants/${t}/mail-config/smtp`, smtpSettings('pw-1'), { 'x-actor': 'bo@help.example' }))
        .status,
    ).toBe(200);
    returned = Date.now();
    await eventually(async () => ((await row(t))?.mode === 'smtp' ? true : undefined), 1000, 'row in smtp mode');
    expect(await row(t)).toMatchObject({ sender: 'help@acme.example', lastChangeBy: 'bo@help.example' });
    expect((await summary()).byMode.smtp).toBe(before.byMode.smtp + 1);

    expect((await svc.api.delete(`/v1/tenants/${t}/mail-config`)).status).toBe(200);
    await eventually(async () => ((await row(t))?.status === 'erased' ? true : undefined), 1000, 'row erased');
    expect((await summary()).tenants).toBe(before.tenants);
    expect(Date.now() - returned).toBeLessThan(2000);
  });

  it('keeps up with a burst of concurrent commands: all reflected within a second of the last answer', async () => {
    const before = (await summary()).tenants;
    const burst = Array.from({ length: 100 }, () => uniqueTenant('burst'));
    const answers = await Promise.all(burst.map((t) => svc.api.post(`/v1/tenants/${t}/mail-config`, { username: t })));
    expect(answers.every((a) => a.status === 201)).toBe(true);
    const lastAnswer = Date.now();
    await eventually(
      async () => ((await summary()).tenants === before + 100 ? true : undefined),
      1000,
      'burst in summary',
    );
    expect(Date.now() - lastAnswer).toBeLessThan(1000);
    expect((await svc.support.get('/v1/dashboard/tenants?q=burst-&limit=500')).body.tenants).toHaveLength(100);
  });

  it('shows who needs attention and why, counts them, and filters by status, mode and text', async () => {
    const [revoked, failedTest, failing, fine] = ['rev', 'tst', 'snd', 'ok'].map((p) => uniqueTenant(`att-${p}`));
    for (const t of [revoked, failedTest, failing, fine])
      await svc.api.post(`/v1/tenants/${t}/mail-config`, { username: t.slice(0, 20) });
    await svc.api.put(`/v1/tenants/${failedTest}/mail-config/smtp`, { ...smtpSettings('pw'), activate: false });
    await recordTrouble(svc, revoked, 'gmail_revoked');
    await recordTrouble(svc, failedTest, 'smtp_test_failed');
    await recordTrouble(svc, failing, 'send_failing');

    await eventually(
      async () => ((await row(failing))?.attention === 'send_failing' ? true : undefined),
      1000,
      'send failing',
    );
    expect(await row(revoked)).toMatchObject({
      status: 'needs_attention',
      attention: 'gmail_revoked',
      mode: 'default',
      lastChangeBy: 'watcher@platform',
    });
    expect(await row(failedTest)).toMatchObject({
      status: 'needs_attention',
      attention: 'smtp_test_failed',
      reason: 'SMTP draft (not in use) failed its test at auth: 535 5.7.8 authentication failed',
    });
    expect(await row(failing)).toMatchObject({
      reason: 'Sending through the default address failing at connect: relay refused the connection',
    });
    expect(await row(fine)).toMatchObject({ status: 'ok', attention: null });
    const s = await summary();
    expect(s.needsAttention).toBeGreaterThanOrEqual(3);
    expect(s.gmailRevoked).toBeGreaterThanOrEqual(1);
    // failedTest's SMTP is a draft (default mode): it needs attention but is not "SMTP failing".
    expect(s.smtpFailing).toBe(0);

    const attention = (await svc.support.get('/v1/dashboard/tenants?status=needs_attention&q=att-&limit=500')).body
      .tenants;
    expect(attention.map((t: { tenantId: string }) => t.tenantId).sort()).toEqual(
      [revoked, failedTest, failing].sort(),
    );
    const ok = (await svc.support.get('/v1/dashboard/tenants?status=ok&q=att-')).body.tenants;
    expect(ok.map((t: { tenantId: string }) => t.tenantId)).toEqual([fine]);
    expect(
      (await svc.support.get(`/v1/dashboard/tenants?mode=smtp&q=${failedTest.toUpperCase()}`)).body.tenants,
    ).toEqual([]);
    expect((await svc.support.get(`/v1/dashboard/tenants?mode=default&q=${failedTest}`)).body.tenants).toHaveLength(1);
  });

  it('pages through tenants with a cursor, in tenant id order', async () => {
    const prefix = uniqueTenant('page');
    const ids = ['c', 'a', 'e', 'b', 'd'].map((s) => `${prefix}-${s}`);
    for (const t of ids) await svc.api.post(`/v1/tenants/${t}/mail-config`, { username: t.toLowerCase() });
    await eventually(
      async () =>
        (await svc.support.get(`/v1/dashboard/tenants?q=${prefix}`)).body.tenants.length === 5 ? true : undefined,
      1000,
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { tenants: { tenantId: string }[]; nextCursor: string | null } } = await svc.support.get(
        `/v1/dashboard/tenants?q=${prefix}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.tenants.map((t) => t.tenantId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].sort());
  });

  it('refuses bad filters with a problem naming the field', async () => {
    for (const [query, field] of [
      ['mode=fax', 'mode'],
      ['status=bad', 'status'],
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['cursor=bm9wZQ', 'cursor'],
    ]) {
      const res = await svc.support.get(`/v1/dashboard/tenants?${query}`);
      expect([query, res.status, res.body.errors?.[0]?.field]).toEqual([query, 400, field]);
    }
  });
});
