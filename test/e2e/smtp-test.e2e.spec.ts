import {
  type ConnectionFactory,
  CONNECTION_FACTORY,
  type ConnectionTarget,
} from '../../src/infrastructure/mail/connection-factory';
import { HOST_RESOLVER, type HostResolver } from '../../src/infrastructure/mail/ssrf/host-resolver';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { dataDirContains } from '../support/files';
import { testCertificates } from '../support/smtp/certs';
import { closedPort, type Peer, PEER_PASSWORD, PEER_USER, startSilentPeer, startSmtpPeer } from '../support/smtp/peers';
import { configureSmtp, eventTypes, provision } from '../support/smtp/scenario';

const WRONG_PASSWORD = 'not-the-Right-0ne!';

describe('POST /v1/tenants/{id}/mail-config/smtp/test (the Test button)', () => {
  let good: Peer, implicit: Peer, noStarttls: Peer, selfSigned: Peer, silent: Peer;
  let closed: number;
  let svc: TestService;

  const test = (tenant: string, body?: unknown) => svc.api.post(`/v1/tenants/${tenant}/mail-config/smtp/test`, body);
  const candidate = (port: number, over: Record<string, unknown> = {}) => ({
    address: 'help@acme.example',
    host: 'localhost',
    port,
    security: 'starttls',
    username: PEER_USER,
    password: PEER_PASSWORD,
    ...over,
  });

  beforeAll(async () => {
    [good, implicit, noStarttls, selfSigned, silent] = await Promise.all([
      startSmtpPeer(),
      startSmtpPeer({ implicitTls: true }),
      startSmtpPeer({ starttls: 'none' }),
      startSmtpPeer({ starttls: 'self-signed' }),
      startSilentPeer(),
    ]);
    closed = await closedPort();
    svc = await startTestService({
      env: {
        SMTP_ALLOWED_PORTS: [good, implicit, noStarttls, selfSigned, silent]
          .map((p) => p.port)
          .concat(closed)
          .join(','),
        SMTP_EXTRA_CA_FILE: testCertificates().caFile,
        THROTTLE_SMTP_TEST: '1000/60',
      },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await Promise.all([good, implicit, noStarttls, selfSigned, silent].map((p) => p.close()));
  });

  it('reports done for the saved configuration and records SmtpConnectionTested for the view', async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    await configureSmtp(svc, t, good.port);
    const res = await test(t);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ok: true,
      stage: 'done',
      message: expect.stringContaining('with TLS'),
      durationMs: expect.any(Number),
    });
    expect((await eventTypes(svc, t)).slice(-1)).toEqual(['SmtpConnectionTested']);
    const view = await svc.api.get(`/v1/tenants/${t}/mail-config`);
    expect(view.body.smtp.lastTest).toMatchObject({ ok: true, stage: 'done' });
  });

  it('reports auth for a wrong password: recorded for the saved configuration, not for a candidate', async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    await configureSmtp(svc, t, good.port, { password: WRONG_PASSWORD });
    const saved = await test(t);
    expect(saved.body).toMatchObject({
      ok: false,
      stage: 'auth',
      message: expect.stringContaining('Authentication failed: the server rejected the username or password'),
    });
    // The server's own words stay in the message.
    expect(saved.body.message).toContain('Invalid username or password');
    const view = await svc.api.get(`/v1/tenants/${t}/mail-config`);
    expect(view.body.smtp.lastTest).toMatchObject({ ok: false, stage: 'auth' });
    const before = await eventTypes(svc, t);
    const tried = await test(t, candidate(good.port, { password: WRONG_PASSWORD }));
    expect(tried.body).toMatchObject({ ok: false, stage: 'auth' });
    expect(await eventTypes(svc, t)).toEqual(before);
    // Left out, the candidate's password is the saved one, but only for the saved host, port and username.
    const reuse = await test(t, candidate(good.port, { password: undefined }));
    expect(reuse.body).toMatchObject({ stage: 'auth' });
    const elsewhere = await test(t, candidate(implicit.port, { security: 'tls', password: undefined }));
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.errors).toEqual([{ field: 'password', message: expect.stringContaining('again') }]);
  });

  it('reports connect for a closed port', async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    const res = await test(t, candidate(closed));
    expect(res.body).toMatchObject({ ok: false, stage: 'connect' });
  });

  it('reports tls for a server without STARTTLS (with what to try) and for an untrusted certificate', async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    const plain = await test(t, candidate(noStarttls.port));
    expect(plain.body).toMatchObject({ ok: false, stage: 'tls' });
    expect(plain.body.message).toContain('does not offer STARTTLS');
    expect(plain.body.message).toContain('try port 465 with TLS');
    expect(noStarttls.logins).toEqual([]);
    const untrusted = await test(t, candidate(selfSigned.port));
    expect(untrusted.body).toMatchObject({ ok: false, stage: 'tls' });
    expect(untrusted.body.message).toMatch(/certificate/);
  });

  it('stops at a timeout stage within 20 s for a server that never answers the greeting', async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    const started = Date.now();
    const res = await test(t, candidate(silent.port));
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(res.body).toMatchObject({ ok: false, stage: 'connect' });
    expect(res.body.message).toMatch(/no SMTP greeting within \d+ s/);
    expect(res.body.durationMs).toBeLessThan(20_000);
  });

  it('with sendTo delivers a short test message to that address and nobody else', async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    const res = await test(t, { ...candidate(implicit.port, { security: 'tls' }), sendTo: 'tester@example.org' });
    expect(res.body).toMatchObject({ ok: true, stage: 'done' });
    const [d] = await implicit.inbox.waitFor(1);
    expect(d.envelope).toEqual({ from: 'help@acme.example', to: ['tester@example.org'] });
    expect(d.mail.from?.text).toBe('help@acme.example');
    expect(d.mail.subject).toMatch(/test/i);
  });

  it('answers 409 when there is nothing saved to test, and 400 naming the missing fields of a candidate', async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    expect((await test(t)).status).toBe(409);
    const partial = await test(t, { address: 'help@acme.example' });
    expect(partial.status).toBe(400);
    expect([...new Set(partial.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual(['host', 'port']);
  });

  it('never lets a password into a response, a log line or the data directory', async () => {
    for (const secret of [PEER_PASSWORD, WRONG_PASSWORD]) {
      expect(svc.logs.filter((l) => l.includes(secret))).toEqual([]);
      expect(dataDirContains(svc.dataDir, secret)).toEqual([]);
    }
  });
});

describe('the Test button’s SSRF policy', () => {
  let listener: Peer;
  let svc: TestService;
  let attempts: ConnectionTarget[];

  beforeAll(async () => {
    listener = await startSmtpPeer();
    svc = await startTestService({
      env: {
        SMTP_ALLOW_PRIVATE_HOSTS: 'false',
        SMTP_ALLOWED_PORTS: `25,465,587,2525,${listener.port}`,
        THROTTLE_SMTP_TEST: '1000/60',
      },
    });
    // Counts every socket the service would open; anything not on loopback is refused, so even
    // a broken policy could not send a packet off this machine.
    const factory = svc.running.app.get<ConnectionFactory>(CONNECTION_FACTORY);
    const real = factory.connect.bind(factory);
    jest.spyOn(factory, 'connect').mockImplementation(async (target) => {
      attempts.push(target);
      if (target.address === '127.0.0.1' || target.address === '::1') return real(target);
      throw Object.assign(new Error('refused by the test'), { code: 'ECONNREFUSED' });
    });
  });
  afterAll(async () => {
    await svc?.close();
    await listener.close();
  });
  beforeEach(() => {
    attempts = [];
  });

  it.each([
    '127.0.0.1',
    'localhost',
    '[::1]',
    '10.0.0.8',
    '169.254.169.254',
    '127.1',
    '0x7f000001',
    '[::ffff:127.0.0.1]',
  ])('stops %s at policy with no connection attempted', async (host) => {
    const t = uniqueTenant();
    await provision(svc, t);
    const before = listener.connections;
    const res = await svc.api.post(`/v1/tenants/${t}/mail-config/smtp/test`, {
      address: 'help@acme.example',
      host,
      port: listener.port,
      password: 'irrelevant-secret',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, stage: 'policy' });
    expect(attempts).toEqual([]);
    expect(listener.connections).toBe(before);
  });

  it('stops port 22 at policy with no connection attempted', async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    const res = await svc.api.post(`/v1/tenants/${t}/mail-config/smtp/test`, {
      address: 'help@acme.example',
      host: '93.184.216.34',
      port: 22,
      password: 'irrelevant-secret',
    });
    expect(res.body).toMatchObject({
      ok: false,
      stage: 'policy',
      message: expect.stringContaining('Port 22 is not allowed'),
    });
    expect(attempts).toEqual([]);
  });

  it('refuses to save a host the policy forbids, and applies the same policy to a saved configuration and to sending', async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    const refused = await svc.api.put(`/v1/tenants/${t}/mail-config/smtp`, {
      address: 'help@acme.example',
      host: '127.1',
      port: listener.port,
      password: PEER_PASSWORD,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ field: 'host', message: expect.stringContaining('loopback') }]);
    // A name passes the save-time check; what it resolves to is judged at every connection.
    const resolver = svc.running.app.get<HostResolver>(HOST_RESOLVER);
    jest.spyOn(resolver, 'resolve').mockResolvedValue(['127.0.0.1']);
    await configureSmtp(svc, t, listener.port, { host: 'mail.acme.example' });
    const before = listener.connections;
    expect((await svc.api.post(`/v1/tenants/${t}/mail-config/smtp/test`)).body).toMatchObject({ stage: 'policy' });
    const sent = await svc.api.post(`/v1/tenants/${t}/messages`, { to: ['a@example.org'], subject: 's', text: 't' });
    expect(sent.status).toBe(502);
    expect(sent.body).toMatchObject({ stage: 'policy' });
    expect(attempts).toEqual([]);
    expect(listener.connections).toBe(before);
  });
});
