import { eventually, recordTrouble, smtpSettings } from '../browser/dashboard-fixtures';
import { startTestService, type TestService, uniqueTenant } from '../support/app';

const PASSWORD = 'Audit-Canary-Password-9931';

describe('cross-tenant audit over HTTP', () => {
  let svc: TestService;
  let acme: string;
  let beta: string;

  beforeAll(async () => {
    svc = await startTestService();
    acme = uniqueTenant('acme');
    beta = uniqueTenant('beta');
    await svc.api.post(`/v1/tenants/${acme}/mail-config`, { username: 'acme' }, { 'x-actor': 'ana@acme.example' });
    await svc.api.post(`/v1/tenants/${beta}/mail-config`, { username: 'beta' }, { 'x-actor': 'bo@beta.example' });
    await svc.api.put(`/v1/tenants/${acme}/mail-config/smtp`, smtpSettings(PASSWORD), {
      'x-actor': 'ana@acme.example',
      'x-request-id': 'req-smtp-1',
    });
    await recordTrouble(svc, beta, 'gmail_revoked');
    await svc.api.delete(`/v1/tenants/${beta}/mail-config`, undefined, { 'x-actor': 'dpo@platform' });
    const all = async () => (await svc.support.get('/v1/audit/events?limit=500')).body.events.length;
    await eventually(async () => ((await all()) === 9 ? true : undefined), 1000, 'audit index');
  });
  afterAll(async () => {
    await svc.close();
  });

  it('returns the same redacted entries as the tenant history for the same events', async () => {
    for (const tenant of [acme, beta]) {
      const history = await svc.api.get(`/v1/tenants/${tenant}/mail-config/history`);
      const audit = await svc.support.get(`/v1/audit/events?tenantId=${tenant}`);
      expect(audit.status).toBe(200);
      expect(audit.body.events).toEqual(history.body.events);
      expect(audit.body.events.length).toBeGreaterThanOrEqual(2);
    }
    const smtp = (await svc.support.get(`/v1/audit/events?tenantId=${acme}&type=SmtpConfigured`)).body.events[0];
    expect(smtp).toMatchObject({
      actor: 'ana@acme.example',
      correlationId: 'req-smtp-1',
      data: { password: '[encrypted]' },
    });
    const gmail = (await svc.support.get(`/v1/audit/events?tenantId=${beta}&type=GmailAuthorized`)).body.events[0];
    expect(gmail.data.refreshToken).toBe('[encrypted]');
    const text = (await svc.support.get('/v1/audit/events?limit=500')).text;
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('ciphertext');
  });

  it('lists all tenants oldest first and filters by repeated type, tenant and time', async () => {
    const label = (e: { tenantId: string; type: string }) => `${e.tenantId === acme ? 'acme' : 'beta'}:${e.type}`;
    const all = (await svc.support.get('/v1/audit/events')).body;
    expect(all.nextCursor).toBeNull();
    expect(all.events.map(label)).toEqual([
      'acme:MailConfigProvisioned',
      'beta:MailConfigProvisioned',
      'acme:SmtpConfigured',
      'acme:ModeChanged',
      'beta:GmailAuthorized',
      'beta:ModeChanged',
      'beta:ConsentRevoked',
      'beta:ModeChanged',
      'beta:MailConfigErased',
    ]);
    const typed = await svc.support.get('/v1/audit/events?type=ConsentRevoked&type=MailConfigErased');
    expect(typed.body.events.map(label)).toEqual(['beta:ConsentRevoked', 'beta:MailConfigErased']);
    const acmeModes = await svc.support.get(`/v1/audit/events?type=ModeChanged&tenantId=${acme}`);
    expect(acmeModes.body.events.map(label)).toEqual(['acme:ModeChanged']);

    const third = all.events[2].at;
    const fifth = all.events[4].at;
    const windowed = (await svc.support.get(`/v1/audit/events?since=${third}&until=${fifth}`)).body.events;
    expect(windowed.every((e: { at: string }) => e.at >= third && e.at <= fifth)).toBe(true);
    expect(windowed.map(label)).toEqual(expect.arrayContaining(['acme:SmtpConfigured', 'beta:GmailAuthorized']));
    expect((await svc.support.get('/v1/audit/events?since=2999-01-01T00:00:00Z')).body.events).toEqual([]);
  });

  it('pages with a cursor, limit at most 500 (default 100)', async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { events: { eventId: string }[]; nextCursor: string | null } } = await svc.support.get(
        `/v1/audit/events?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
      );
      ids.push(...res.body.events.map((e) => e.eventId));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(ids).toEqual(
      (await svc.support.get('/v1/audit/events')).body.events.map((e: { eventId: string }) => e.eventId),
    );
  });

  it('refuses bad filters with a problem naming the field', async () => {
    for (const [query, field] of [
      ['limit=501', 'limit'],
      ['limit=0', 'limit'],
      ['since=yesterday', 'since'],
      ['until=2026-13-01', 'until'],
      ['type=Not%20A%20Type', 'type'],
      ['tenantId=bad%20id', 'tenantId'],
      ['cursor=bm9wZQ', 'cursor'],
    ]) {
      const res = await svc.support.get(`/v1/audit/events?${query}`);
      expect([query, res.status, res.headers.get('content-type'), res.body.errors?.[0]?.field]).toEqual([
        query,
        400,
        expect.stringContaining('application/problem+json'),
        field,
      ]);
    }
  });
});
