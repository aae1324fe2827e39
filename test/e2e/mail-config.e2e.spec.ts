import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { request } from '../support/http';

describe('tenant mail configuration over HTTP', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc.close();
  });

  const provision = (tenant: string, username = tenant.toLowerCase(), headers?: Record<string, string>) =>
    svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username }, headers);

  describe('authentication', () => {
    it('answers 401 problem without a token or with an unknown one', async () => {
      const t = uniqueTenant();
      const none = await svc.anonymous.get(`/v1/tenants/${t}/mail-config`);
      expect(none.status).toBe(401);
      expect(none.headers.get('content-type')).toContain('application/problem+json');
      expect(none.body).toMatchObject({ status: 401, title: 'Unauthorized' });
      const wrong = await request('GET', `${svc.url}/v1/tenants/${t}/mail-config`, { token: 'nope' });
      expect(wrong.status).toBe(401);
    });

    it('lets support read a tenant but answers 403 when support tries to change one', async () => {
      const t = uniqueTenant();
      expect((await provision(t)).status).toBe(201);
      expect((await svc.support.get(`/v1/tenants/${t}/mail-config`)).status).toBe(200);
      expect((await svc.support.get(`/v1/tenants/${t}/mail-config/history`)).status).toBe(200);
      const change = await svc.support.put(`/v1/tenants/${t}/mail-config/mode`, { mode: 'default' });
      expect(change.status).toBe(403);
      expect(change.body.detail).toMatch(/read/);
      expect((await svc.support.post(`/v1/tenants/${uniqueTenant()}/mail-config`, { username: 'x' })).status).toBe(403);
    });
  });

  describe('provisioning', () => {
    it('creates the default address, is a no-op for the same username and 409 for another', async () => {
      const t = uniqueTenant();
      const created = await provision(t, 'Acme.Support');
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        tenantId: t,
        mode: 'default',
        sender: 'support.acme.support@smemetrics-email.com',
        default: { address: 'support.acme.support@smemetrics-email.com' },
        gmail: {
          status: 'not_authorized',
          account: null,
          scopes: [],
          authorizedAt: null,
          revokedAt: null,
          revokedReason: null,
        },
        smtp: null,
        version: 1,
      });
      expect(new Date(created.body.updatedAt).toISOString()).toBe(created.body.updatedAt);
      const again = await provision(t, 'acme.support');
      expect(again.status).toBe(200);
      expect(again.body.version).toBe(1);
      const other = await provision(t, 'someone-else');
      expect(other.status).toBe(409);
      expect(other.headers.get('content-type')).toContain('application/problem+json');
      const history = await svc.api.get(`/v1/tenants/${t}/mail-config/history`);
      expect(history.body.events.map((e: any) => e.type)).toEqual(['MailConfigProvisioned']);
    });

    it('answers 404 for a tenant never provisioned', async () => {
      const res = await svc.api.get(`/v1/tenants/${uniqueTenant()}/mail-config`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ status: 404, type: expect.stringContaining('not-provisioned') });
      expect((await svc.api.get(`/v1/tenants/${uniqueTenant()}/mail-config/history`)).status).toBe(404);
    });
  });

  describe('validation', () => {
    it('names the offending field for a bad username, a bad tenant id and unknown fields', async () => {
      const bad = await provision(uniqueTenant(), 'no spaces!');
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'username' })]);
      const badTenant = await svc.api.post('/v1/tenants/bad%20tenant/mail-config', { username: 'x' });
      expect(badTenant.status).toBe(400);
      expect(badTenant.body.errors).toEqual([expect.objectContaining({ field: 'tenantId' })]);
      const tooLong = await svc.api.get(`/v1/tenants/${'a'.repeat(65)}/mail-config`);
      expect(tooLong.status).toBe(400);
    });

    it('names every bad SMTP field and never echoes the password', async () => {
      const t = uniqueTenant();
      await provision(t);
      const res = await svc.api.put(`/v1/tenants/${t}/mail-config/smtp`, {
        address: 'not-an-email',
        password: 'hunter2-secret',
        host: 'bad host!',
        port: 70000,
        security: 'ssl',
      });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: any) => e.field).sort()).toEqual(['address', 'host', 'port', 'security']);
      expect(res.text).not.toContain('hunter2-secret');
    });

    it('asks for the password the first time SMTP is configured', async () => {
      const t = uniqueTenant();
      await provision(t);
      const res = await svc.api.put(`/v1/tenants/${t}/mail-config/smtp`, {
        address: 'a@acme.example',
        host: 'smtp.acme.example',
        port: 587,
      });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'password' })]);
    });

    it('answers 400 for malformed JSON and 413 for a body over 64 KiB', async () => {
      const t = uniqueTenant();
      const malformed = await request('POST', `${svc.url}/v1/tenants/${t}/mail-config`, {
        token: svc.apiToken,
        rawBody: '{"username":',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.headers.get('content-type')).toContain('application/problem+json');
      expect(malformed.text).not.toMatch(/at \w+ \(/); // no stack trace
      const big = await request('POST', `${svc.url}/v1/tenants/${t}/mail-config`, {
        token: svc.apiToken,
        rawBody: JSON.stringify({ username: 'a'.repeat(70 * 1024) }),
      });
      expect(big.status).toBe(413);
      expect(big.body).toMatchObject({ status: 413 });
    });
  });

  describe('modes and SMTP settings', () => {
    it('refuses gmail and smtp modes before they are set up (409), and switches once SMTP is configured', async () => {
      const t = uniqueTenant();
      await provision(t);
      const gmail = await svc.api.put(`/v1/tenants/${t}/mail-config/mode`, { mode: 'gmail' });
      expect(gmail.status).toBe(409);
      expect(gmail.body.detail).toBe(
        'You need to first authorize access to a Gmail account before this mode can be used',
      );
      expect((await svc.api.put(`/v1/tenants/${t}/mail-config/mode`, { mode: 'smtp' })).status).toBe(409);

      const smtp = await svc.api.put(`/v1/tenants/${t}/mail-config/smtp`, {
        address: 'help@acme.example',
        password: 'p4ss-word',
        host: 'SMTP.Acme.Example.',
        port: 465,
      });
      expect(smtp.status).toBe(200);
      expect(smtp.body.smtp).toEqual({
        address: 'help@acme.example',
        host: 'smtp.acme.example',
        port: 465,
        security: 'tls',
        username: 'help@acme.example',
        passwordSet: true,
        configuredAt: expect.any(String),
        lastTest: null,
        credential: 'available',
        credentialProblem: null,
      });
      expect(smtp.text).not.toContain('p4ss-word');
      expect(smtp.body.mode).toBe('default');

      const switched = await svc.api.put(
        `/v1/tenants/${t}/mail-config/mode`,
        // No server answers for smtp.acme.example: activation without the Test (smtp-activation e2e tests it).
        { mode: 'smtp', force: true },
        { 'X-Actor': 'jane@acme.example' },
      );
      expect(switched.status).toBe(200);
      expect(switched.body).toMatchObject({ mode: 'smtp', sender: 'help@acme.example', version: 3 });
      const same = await svc.api.put(`/v1/tenants/${t}/mail-config/mode`, { mode: 'smtp' });
      expect(same.body.version).toBe(3);
    });

    it('keeps the stored password when a later update leaves it out, and activates in the same append', async () => {
      const t = uniqueTenant();
      await provision(t);
      await svc.api.put(`/v1/tenants/${t}/mail-config/smtp`, {
        address: 'a@acme.example',
        password: 'first',
        host: 'smtp.acme.example',
        port: 587,
      });
      // Same host, port and login (the first address): the saved password may serve them again.
      const updated = await svc.api.put(`/v1/tenants/${t}/mail-config/smtp`, {
        address: 'b@acme.example',
        host: 'smtp.acme.example',
        port: 587,
        username: 'a@acme.example',
        activate: true,
        force: true,
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({
        mode: 'smtp',
        sender: 'b@acme.example',
        smtp: { security: 'starttls', username: 'a@acme.example', passwordSet: true },
      });
      const history = await svc.api.get(`/v1/tenants/${t}/mail-config/history`);
      const types = history.body.events.map((e: any) => [e.type, e.correlationId]);
      expect(types.map((x: any) => x[0])).toEqual([
        'MailConfigProvisioned',
        'SmtpConfigured',
        'SmtpConfigured',
        'ModeChanged',
      ]);
      expect(types[2][1]).toBe(types[3][1]); // one command, one append
      expect(history.body.events[2].data).toMatchObject({ passwordChanged: false, password: '[encrypted]' });
    });
  });

  describe('history and time travel', () => {
    it('stores actor and request id, redacts secrets, filters by type and time, and pages with a cursor', async () => {
      const t = uniqueTenant();
      await provision(t, 'acme', { 'X-Actor': 'ops@platform', 'X-Request-Id': 'req-123' });
      for (let i = 0; i < 3; i++) {
        await svc.api.put(`/v1/tenants/${t}/mail-config/smtp`, {
          address: `a${i}@acme.example`,
          password: `pw-${i}-secret`,
          host: 'smtp.acme.example',
          port: 587,
        });
      }
      const all = await svc.api.get(`/v1/tenants/${t}/mail-config/history`);
      expect(all.status).toBe(200);
      expect(all.body.nextCursor).toBeNull();
      expect(all.body.events[0]).toMatchObject({
        version: 1,
        type: 'MailConfigProvisioned',
        actor: 'ops@platform',
        correlationId: 'req-123',
      });
      expect(all.text).not.toMatch(/pw-\d-secret/);
      expect(all.text).not.toContain('ciphertext');
      expect(all.body.events[1].data.password).toBe('[encrypted]');

      const smtpOnly = await svc.api.get(`/v1/tenants/${t}/mail-config/history?type=SmtpConfigured&type=ModeChanged`);
      expect(smtpOnly.body.events.map((e: any) => e.version)).toEqual([2, 3, 4]);

      const page1 = await svc.api.get(`/v1/tenants/${t}/mail-config/history?limit=2`);
      expect(page1.body.events.map((e: any) => e.version)).toEqual([1, 2]);
      const page2 = await svc.api.get(`/v1/tenants/${t}/mail-config/history?limit=2&cursor=${page1.body.nextCursor}`);
      expect(page2.body.events.map((e: any) => e.version)).toEqual([3, 4]);
      expect(page2.body.nextCursor).toBeNull();

      const future = await svc.api.get(`/v1/tenants/${t}/mail-config/history?since=2999-01-01T00:00:00Z`);
      expect(future.body.events).toEqual([]);
      const bad = await svc.api.get(`/v1/tenants/${t}/mail-config/history?limit=501&since=yesterday`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['limit', 'since']);
      expect((await svc.api.get(`/v1/tenants/${t}/mail-config/history?cursor=bogus`)).status).toBe(400);
    });

    it('returns the configuration as it was at a past time', async () => {
      const t = uniqueTenant();
      await provision(t);
      await svc.api.put(`/v1/tenants/${t}/mail-config/smtp`, {
        address: 'a@acme.example',
        password: 'x',
        host: 'smtp.acme.example',
        port: 587,
      });
      await new Promise((r) => setTimeout(r, 20));
      const between = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 20));
      await svc.api.put(`/v1/tenants/${t}/mail-config/mode`, { mode: 'smtp', force: true });

      const now = await svc.api.get(`/v1/tenants/${t}/mail-config`);
      expect(now.body).toMatchObject({ mode: 'smtp', version: 3 });
      const then = await svc.api.get(`/v1/tenants/${t}/mail-config?at=${encodeURIComponent(between)}`);
      expect(then.status).toBe(200);
      expect(then.body).toMatchObject({ mode: 'default', version: 2, smtp: { address: 'a@acme.example' } });
      expect((await svc.api.get(`/v1/tenants/${t}/mail-config?at=2000-01-01T00:00:00Z`)).status).toBe(404);
      const bad = await svc.api.get(`/v1/tenants/${t}/mail-config?at=not-a-time`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('at');
    });
  });

  it('keeps every acknowledged update of forty concurrent ones, with versions 1..N and no gap', async () => {
    const t = uniqueTenant();
    await provision(t);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        svc.api.put(`/v1/tenants/${t}/mail-config/smtp`, {
          address: `u${i}@acme.example`,
          password: `pw${i}`,
          host: 'smtp.acme.example',
          port: 587,
        }),
      ),
    );
    const acknowledged = results.filter((r) => r.status === 200);
    results.forEach((r) => expect([200, 409]).toContain(r.status));
    expect(acknowledged.length).toBeGreaterThanOrEqual(30);
    const history = await svc.api.get(`/v1/tenants/${t}/mail-config/history?limit=500`);
    const versions = history.body.events.map((e: any) => e.version);
    expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    const addresses = history.body.events
      .filter((e: any) => e.type === 'SmtpConfigured')
      .map((e: any) => e.data.address);
    for (const r of acknowledged) expect(addresses).toContain(r.body.smtp.address);
    expect(addresses.length).toBe(acknowledged.length);
  });

  it('serves health, OpenAPI at /docs-json and the docs UI at /docs without a token', async () => {
    expect((await svc.anonymous.get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await svc.anonymous.get('/health/ready');
    expect(ready.status).toBe(200);
    const doc = await svc.anonymous.get('/docs-json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/tenants/{tenantId}/mail-config', '/v1/tenants/{tenantId}/mail-config/smtp']),
    );
    const ui = await svc.anonymous.get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('echoes X-Request-Id and generates one when absent', async () => {
    const given = await svc.anonymous.get('/health/live', undefined, { 'X-Request-Id': 'abc-123' });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    // Every route but the liveness probe (which skips all per-request work, issue 19).
    const generated = await svc.api.get('/v1/capabilities');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
