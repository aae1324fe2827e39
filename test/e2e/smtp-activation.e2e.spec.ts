import { TEST_TIMEOUTS } from '../../src/infrastructure/mail/smtp/timeouts';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { dataDirContains } from '../support/files';
import { testCertificates } from '../support/smtp/certs';
import { type Peer, PEER_PASSWORD, PEER_USER, startSilentPeer, startSmtpPeer } from '../support/smtp/peers';
import { eventTypes, provision } from '../support/smtp/scenario';

const WRONG_PASSWORD = 'not-the-Right-0ne!';
const ADDRESS = 'help@acme.example';
const MICROSOFT_535 = '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant';
/** The AUTH PLAIN payload of PEER_USER / PEER_PASSWORD, as a careless server might echo it. */
const AUTH_PLAIN = Buffer.from(`\u0000${PEER_USER}\u0000${PEER_PASSWORD}`).toString('base64');

interface HistoryEvent {
  type: string;
  data: Record<string, unknown>;
}

describe('SMTP activation that is tested first, and Test messages that say the truth', () => {
  let good: Peer, refusesSender: Peer, microsoft: Peer, echoing: Peer, noAuth: Peer, plain: Peer, silent: Peer;
  let svc: TestService;

  const settings = (port: number, over: Record<string, unknown> = {}) => ({
    address: ADDRESS,
    host: 'localhost',
    port,
    security: 'starttls',
    username: PEER_USER,
    password: PEER_PASSWORD,
    ...over,
  });
  const base = (t: string) => `/v1/tenants/${t}/mail-config`;
  const test = (t: string, body?: unknown) => svc.api.post(`${base(t)}/smtp/test`, body);
  const history = async (t: string): Promise<HistoryEvent[]> =>
    (await svc.api.get(`${base(t)}/history?limit=500`)).body.events;
  const tenant = async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    return t;
  };

  beforeAll(async () => {
    [good, refusesSender, microsoft, echoing, noAuth, plain, silent] = await Promise.all([
      startSmtpPeer(),
      startSmtpPeer({ senderRefusal: { code: 553, text: '5.7.1 Sender address rejected: not owned by user' } }),
      startSmtpPeer({ authRefusal: { code: 535, text: MICROSOFT_535 } }),
      startSmtpPeer({ authRefusal: { code: 535, text: `5.7.8 Bad credentials for ${AUTH_PLAIN}` } }),
      startSmtpPeer({ starttls: 'none', offerAuth: false }),
      startSmtpPeer({ starttls: 'none' }),
      startSilentPeer(),
    ]);
    svc = await startTestService({
      env: {
        SMTP_ALLOWED_PORTS: [good, refusesSender, microsoft, echoing, noAuth, plain, silent]
          .map((p) => p.port)
          .join(','),
        SMTP_EXTRA_CA_FILE: testCertificates().caFile,
        THROTTLE_SMTP_TEST: '1000/60',
      },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await Promise.all([good, refusesSender, microsoft, echoing, noAuth, plain, silent].map((p) => p?.close()));
  });

  it('refuses activation with a wrong password (409, stage auth), recording nothing; force activates', async () => {
    const t = await tenant();
    const refused = await svc.api.put(`${base(t)}/smtp`, {
      ...settings(good.port, { password: WRONG_PASSWORD }),
      activate: true,
    });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({
      code: 'SMTP_TEST_FAILED',
      stage: 'auth',
      message: expect.stringContaining('Authentication failed'),
    });
    expect(await eventTypes(svc, t)).toEqual(['MailConfigProvisioned']);

    // Saved without activate, then PUT …/mode: the same Test, the same refusal, the mode unchanged.
    expect((await svc.api.put(`${base(t)}/smtp`, settings(good.port, { password: WRONG_PASSWORD }))).status).toBe(200);
    const before = await eventTypes(svc, t);
    const mode = await svc.api.put(`${base(t)}/mode`, { mode: 'smtp' });
    expect(mode.status).toBe(409);
    expect(mode.body).toMatchObject({ stage: 'auth', message: expect.stringContaining('Authentication failed') });
    expect(await eventTypes(svc, t)).toEqual(before);
    expect((await svc.api.get(base(t))).body.mode).toBe('default');

    const forced = await svc.api.put(`${base(t)}/mode`, { mode: 'smtp', force: true });
    expect(forced.status).toBe(200);
    expect(forced.body.mode).toBe('smtp');
    const last = (await history(t)).at(-1)!;
    expect(last).toMatchObject({ type: 'ModeChanged', data: { from: 'default', to: 'smtp', forced: true } });
  });

  it('activates a configuration that passes, records the Test, and does not test it again within minutes', async () => {
    const t = await tenant();
    const activated = await svc.api.put(`${base(t)}/smtp`, { ...settings(good.port), activate: true });
    expect(activated.status).toBe(200);
    expect(activated.body.mode).toBe('smtp');
    const events = await history(t);
    expect(events.map((e) => e.type)).toEqual([
      'MailConfigProvisioned',
      'SmtpConfigured',
      'SmtpConnectionTested',
      'ModeChanged',
    ]);
    expect(events[2].data).toMatchObject({ ok: true, stage: 'done', fingerprint: expect.any(String) });
    expect(events[3].data).not.toHaveProperty('forced');
    // The sender check asked MAIL FROM and RCPT TO, and handed nothing over.
    expect(good.senders).toContain(ADDRESS);
    expect(good.inbox.deliveries).toEqual([]);
    expect(JSON.stringify(events)).not.toContain(PEER_PASSWORD);

    expect((await svc.api.put(`${base(t)}/mode`, { mode: 'default' })).status).toBe(200);
    const connections = good.connections;
    const again = await svc.api.put(`${base(t)}/mode`, { mode: 'smtp' });
    expect(again.status).toBe(200);
    expect(good.connections).toBe(connections);
    expect((await eventTypes(svc, t)).slice(-2)).toEqual(['ModeChanged', 'ModeChanged']);
  });

  it('stops a Test at send when the server refuses the sender, with nothing delivered', async () => {
    const t = await tenant();
    const res = await test(t, settings(refusesSender.port));
    expect(res.body).toMatchObject({ ok: false, stage: 'send' });
    expect(res.body.message).toContain('5.7.1 Sender address rejected: not owned by user');
    expect(res.body.message).toContain(ADDRESS);
    expect(refusesSender.senders).toEqual([ADDRESS]);
    expect(refusesSender.inbox.deliveries).toEqual([]);

    const activation = await svc.api.put(`${base(t)}/smtp`, { ...settings(refusesSender.port), activate: true });
    expect(activation.status).toBe(409);
    expect(activation.body).toMatchObject({ stage: 'send' });
    expect(await eventTypes(svc, t)).toEqual(['MailConfigProvisioned']);
  });

  it('keeps the server’s words for a refused login, without the AUTH payload', async () => {
    const t = await tenant();
    const ms = await test(t, settings(microsoft.port));
    expect(ms.body).toMatchObject({ ok: false, stage: 'auth' });
    expect(ms.body.message).toContain('SmtpClientAuthentication is disabled for the Tenant');

    const echoed = await test(t, settings(echoing.port));
    expect(echoed.body).toMatchObject({ ok: false, stage: 'auth' });
    expect(echoed.body.message).toContain('5.7.8 Bad credentials for');
    expect(echoed.body.message).not.toContain(AUTH_PLAIN);
    expect(echoed.body.message).toContain('[redacted]');
  });

  it('says that a server without AUTH accepts mail without signing in, instead of advice in circles', async () => {
    const t = await tenant();
    for (const security of ['none', 'starttls']) {
      const res = await test(t, settings(noAuth.port, { security }));
      expect(res.body).toMatchObject({ ok: false });
      expect(res.body.message).toContain('This server accepts mail without signing in');
      expect(res.body.message).not.toContain('try port 465');
      expect(res.body.message).not.toContain('choose security starttls');
    }
    expect(noAuth.logins).toEqual([]);
  });

  it('names the timeout that fired for a server that never greets', async () => {
    const t = await tenant();
    const res = await test(t, settings(silent.port));
    expect(res.body).toMatchObject({ ok: false, stage: 'connect' });
    const [, seconds] = /no SMTP greeting within (\d+) s/.exec(res.body.message) ?? [];
    expect(Number(seconds)).toBe(TEST_TIMEOUTS.greeting / 1000);
  });

  it('passes a password without TLS only with security none, and says it crossed the network unencrypted', async () => {
    const t = await tenant();
    const starttls = await test(t, settings(plain.port));
    expect(starttls.body).toMatchObject({ ok: false, stage: 'tls' });
    expect(plain.logins).toEqual([]);
    const none = await test(t, settings(plain.port, { security: 'none' }));
    expect(none.body).toMatchObject({ ok: true, stage: 'done' });
    expect(none.body.message).toContain('the password crossed the network unencrypted');
    expect(plain.logins).toEqual([{ user: PEER_USER, ok: true }]);
  });

  it('never lets a password into a response, a log line or the data directory', () => {
    for (const secret of [PEER_PASSWORD, WRONG_PASSWORD, AUTH_PLAIN]) {
      expect(svc.logs.filter((l) => l.includes(secret))).toEqual([]);
      expect(dataDirContains(svc.dataDir, secret)).toEqual([]);
    }
  });

  it('logs the deprecated alias at start-up as loopback only', () => {
    const lines = svc.logs.filter((l) => l.includes('SMTP_ALLOW_PRIVATE_HOSTS is deprecated'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('127.0.0.0/8, ::1/128');
  });
});
