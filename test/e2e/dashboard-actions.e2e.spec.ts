import { eventually, recordTrouble } from '../browser/dashboard-fixtures';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { testCertificates } from '../support/smtp/certs';
import { type Peer, PEER_PASSWORD, startSmtpPeer } from '../support/smtp/peers';
import { configureSmtp, provision } from '../support/smtp/scenario';

describe('support dashboard: tenant panel, described history and support actions over HTTP', () => {
  let peer: Peer;
  let svc: TestService;

  beforeAll(async () => {
    peer = await startSmtpPeer();
    svc = await startTestService({
      env: { SMTP_ALLOWED_PORTS: String(peer.port), SMTP_EXTRA_CA_FILE: testCertificates().caFile },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await peer?.close();
  });

  const panel = (t: string) => svc.support.get(`/v1/dashboard/tenants/${t}`);
  const history = async (t: string) =>
    (await svc.support.get(`/v1/dashboard/tenants/${t}/history?limit=500`)).body.events as Array<{
      type: string;
      actor: string;
      description: string;
      data: Record<string, unknown>;
    }>;
  const lastOf = async (t: string, type: string) => {
    const events = await history(t);
    return events.filter((e) => e.type === type).pop();
  };

  it('re-runs the SMTP test on the saved configuration, recorded with the agent as actor', async () => {
    const t = uniqueTenant('rerun');
    await provision(svc, t);
    await configureSmtp(svc, t, peer.port, { host: 'localhost' });
    const res = await svc.support.post(`/v1/dashboard/tenants/${t}/smtp-test`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, stage: 'done' });

    const tested = await eventually(() => lastOf(t, 'SmtpConnectionTested'), 3000, 'SmtpConnectionTested');
    expect(tested).toMatchObject({
      actor: 'support',
      description: expect.stringMatching(/^SMTP test passed in \d+ ms$/),
    });
    const shown = await eventually(
      async () => ((await panel(t)).body.details?.lastTest ? (await panel(t)).body : undefined),
      3000,
      'panel',
    );
    expect(shown.details).toMatchObject({
      smtp: { host: 'localhost', port: peer.port, security: 'starttls', address: 'help@acme.example' },
      lastTest: { ok: true, stage: 'done', by: 'support' },
    });
    expect(JSON.stringify(shown)).not.toContain(PEER_PASSWORD);
  });

  it('sends a test message to the address the agent typed, which arrives, and records TestMessageSent', async () => {
    const t = uniqueTenant('msg');
    await provision(svc, t);
    await configureSmtp(svc, t, peer.port, { host: 'localhost' });
    const before = peer.inbox.deliveries.length;
    const res = await svc.support.post(`/v1/dashboard/tenants/${t}/test-message`, { to: 'agent.check@help.example' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      ok: true,
      to: 'agent.check@help.example',
      mode: 'smtp',
      from: 'help@acme.example',
    });
    const delivered = (await peer.inbox.waitFor(before + 1)).at(-1)!;
    expect(delivered.envelope.to).toEqual(['agent.check@help.example']);
    expect(delivered.mail.subject).toBe('Test message from the help desk');

    const sent = await eventually(() => lastOf(t, 'TestMessageSent'), 3000, 'TestMessageSent');
    expect(sent).toMatchObject({
      actor: 'support',
      description: 'Test message to agent.check@help.example sent through SMTP from help@acme.example',
      data: { to: 'agent.check@help.example', ok: true, mode: 'smtp', from: 'help@acme.example' },
    });
    // The agent is the actor even when the caller sends an X-Actor header naming someone else.
    await svc.support.post(
      `/v1/dashboard/tenants/${t}/test-message`,
      { to: 'a@help.example' },
      { 'x-actor': 'mallory' },
    );
    await eventually(async () => ((await history(t)).length >= 5 ? true : undefined), 3000, 'second test');
    expect((await history(t)).map((e) => e.actor)).not.toContain('mallory');
  });

  it('refuses a test message to anything but one address, and the actions to the main application', async () => {
    const t = uniqueTenant('bad');
    await provision(svc, t);
    for (const to of ['', 'a@x.example, b@y.example', 'no-at-sign', 'a@x.example\r\nBcc: c@z.example']) {
      const res = await svc.support.post(`/v1/dashboard/tenants/${t}/test-message`, { to });
      expect([to, res.status]).toEqual([to, 400]);
    }
    for (const path of ['smtp-test', 'test-message', 'settings-link']) {
      expect((await svc.api.post(`/v1/dashboard/tenants/${t}/${path}`, { to: 'a@b.example' })).status).toBe(403);
      expect((await svc.anonymous.post(`/v1/dashboard/tenants/${t}/${path}`, { to: 'a@b.example' })).status).toBe(401);
    }
    expect((await svc.support.post(`/v1/dashboard/tenants/${t}/smtp-test`)).status).toBe(409);
    expect((await svc.support.get(`/v1/dashboard/tenants/never-seen`)).status).toBe(404);
  });

  it('issues a settings-page link that opens the page, recorded without the link', async () => {
    const t = uniqueTenant('link');
    await provision(svc, t);
    const res = await svc.support.post(`/v1/dashboard/tenants/${t}/settings-link`);
    expect(res.status).toBe(201);
    expect(res.body.url).toMatch(/\/settings\/open\?link=/);
    const issued = await eventually(() => lastOf(t, 'SettingsLinkIssued'), 3000, 'SettingsLinkIssued');
    expect(issued.actor).toBe('support');
    const secret = new URL(res.body.url).searchParams.get('link')!;
    expect(JSON.stringify(await history(t))).not.toContain(secret);
    // PUBLIC_URL is not this test's port: open the same path on the service.
    const link = new URL(res.body.url);
    const opened = await fetch(`${svc.url}${link.pathname}${link.search}`, { redirect: 'manual' });
    expect([302, 303]).toContain(opened.status);
    expect(opened.headers.get('location')).toMatch(/\/settings\/mail$/);
  });

  it('tells how a Gmail consent ended and finds the tenant by its revoked account', async () => {
    const t = uniqueTenant('revoked');
    await provision(svc, t);
    await recordTrouble(svc, t, 'gmail_revoked');
    // The read models follow the events (eventually): the account is searchable once the grant is
    // projected, the revocation a moment later.
    const row = await eventually(
      async () => {
        const found = (await svc.support.get(`/v1/dashboard/tenants?q=${encodeURIComponent(`${t}@GMAIL.example`)}`))
          .body.tenants[0];
        return found?.attention ? found : undefined;
      },
      3000,
      'search by revoked account',
    );
    expect(row).toMatchObject({
      tenantId: t,
      attention: 'gmail_revoked',
      reason: `Gmail consent revoked at Google, detected while sending (${t}@gmail.example)`,
    });
    expect((await panel(t)).body.details.gmail).toMatchObject({
      account: `${t}@gmail.example`,
      status: 'revoked',
      revokedReason: 'revoked_at_google',
      detectedBy: 'sending',
    });
    expect((await history(t)).map((e) => e.description)).toContain(
      `Gmail consent revoked at Google, detected while sending (${t}@gmail.example)`,
    );
  });

  it('does not count a default-mode tenant whose SMTP draft failed its test as SMTP failing', async () => {
    const before = (await svc.support.get('/v1/dashboard/summary')).body.smtpFailing;
    const t = uniqueTenant('draft');
    await provision(svc, t);
    await configureSmtp(svc, t, peer.port, { host: 'localhost', activate: false });
    await recordTrouble(svc, t, 'smtp_test_failed');
    const row = await eventually(
      async () => (await svc.support.get(`/v1/dashboard/tenants?q=${t}`)).body.tenants.find((r: any) => r.attention),
      3000,
      'draft row',
    );
    expect(row).toMatchObject({
      mode: 'default',
      attention: 'smtp_test_failed',
      reason: 'SMTP draft (not in use) failed its test at auth: 535 5.7.8 authentication failed',
    });
    expect((await svc.support.get('/v1/dashboard/summary')).body.smtpFailing).toBe(before);
  });
});
