import { type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { sample } from '../support/metrics';
import { request } from '../support/http';
import { testCertificates } from '../support/smtp/certs';
import { Inbox } from '../support/smtp/inbox';
import { type Peer, PEER_PASSWORD, PEER_USER, startSmtpPeer } from '../support/smtp/peers';
import { configureSmtp, message, provision } from '../support/smtp/scenario';
import { recordsNothing } from './hostile';

/**
 * Issue #18 item 1: a saved SMTP password goes only to the host, port and username it was saved
 * with. The attacker's server below accepts any login in clear text and records every AUTH it
 * receives, so a leak of the saved password would show up in `auths`.
 */
interface Collector {
  port: number;
  connections: number;
  auths: Array<{ username: string; password: string }>;
  inbox: Inbox;
  close(): Promise<void>;
}

async function startCollector(): Promise<Collector> {
  const sockets = new Set<Socket>();
  const inbox = new Inbox();
  const collector = { connections: 0, auths: [] as Collector['auths'] };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      collector.auths.push({ username: auth.username ?? '', password: auth.password ?? '' });
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const envelope = {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
      };
      inbox.receive(stream, envelope).then(() => callback(), callback);
    },
  });
  server.on('error', () => undefined);
  server.server.on('connection', (socket: Socket) => {
    collector.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return Object.assign(collector, {
    port,
    inbox,
    async close() {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

describe('item 1: a saved SMTP password stays with its server', () => {
  let legit: Peer;
  let collector: Collector;
  let svc: TestService;

  beforeAll(async () => {
    [legit, collector] = await Promise.all([startSmtpPeer(), startCollector()]);
    svc = await startTestService({
      env: {
        SMTP_ALLOWED_PORTS: `${legit.port},${collector.port}`,
        SMTP_EXTRA_CA_FILE: testCertificates().caFile,
        THROTTLE_SMTP_TEST: '1000/60',
      },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await Promise.all([legit?.close(), collector?.close()]);
  });

  const smtpTest = (t: string, body: unknown) => svc.api.post(`/v1/tenants/${t}/mail-config/smtp/test`, body);
  const putSmtp = (t: string, body: unknown) => svc.api.put(`/v1/tenants/${t}/mail-config/smtp`, body);
  const savedSettings = (port: number) => ({
    address: 'help@acme.example',
    host: 'localhost',
    port,
    security: 'starttls',
    username: PEER_USER,
  });
  const candidateMetric = async (outcome: string) =>
    sample((await request('GET', `${svc.url}/metrics`)).text, 'mail_config_smtp_candidate_tests_total', { outcome });

  /** Nothing the service said or logged carries the saved password. */
  function expectNoSecretLeft(...texts: string[]): void {
    for (const text of [...texts, svc.logs.join('\n')]) expect(text).not.toContain(PEER_PASSWORD);
  }

  function expectPasswordRequired(res: { status: number; body: { errors?: Array<{ field: string }> } }): void {
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.field)).toEqual(['password']);
  }

  it.each([
    ['another host and port, in clear text', { host: '127.0.0.1', port: 0, security: 'none' }],
    ['the same host on another port', { port: 0, security: 'none' }],
    ['another host on the same port', { host: '127.0.0.1' }],
    ['another username', { username: 'someone-else@acme.example' }],
  ])('Test without a password against %s: 400 naming password, nothing sent, logged and counted', async (_, over) => {
    const t = uniqueTenant();
    await provision(svc, t);
    await configureSmtp(svc, t, legit.port);
    const target = { ...savedSettings(legit.port), ...over };
    if (target.port === 0) target.port = collector.port;
    const refusedBefore = await candidateMetric('refused');
    const legitLogins = legit.logins.length;
    const seen = { connections: collector.connections, auths: collector.auths.length };

    const res = await recordsNothing(svc, () => smtpTest(t, target));

    expectPasswordRequired(res);
    expect({ connections: collector.connections, auths: collector.auths.length }).toEqual(seen);
    expect(legit.logins.length).toBe(legitLogins);
    expect(await candidateMetric('refused')).toBe(refusedBefore + 1);
    const line = svc.logs.map((l) => JSON.parse(l)).find((l) => l.tenantId === t && l.outcome === 'refused');
    expect(line).toMatchObject({ host: target.host, port: target.port });
    expectNoSecretLeft(res.text);
  });

  it('Test without a password against the saved host, port and username still uses the saved one', async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    await configureSmtp(svc, t, legit.port);
    const okBefore = await candidateMetric('ok');
    const res = await smtpTest(t, { ...savedSettings(legit.port), host: 'LOCALHOST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, stage: 'done' });
    expect(await candidateMetric('ok')).toBe(okBefore + 1);
    const line = svc.logs.map((l) => JSON.parse(l)).find((l) => l.tenantId === t && l.msg === 'SMTP test ran');
    expect(line).toMatchObject({ host: 'localhost', port: legit.port, outcome: 'ok', saved: false });
    expectNoSecretLeft(res.text);
  });

  it('a save without a password for another server is refused; the next send still goes to the saved one', async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    await configureSmtp(svc, t, legit.port);
    const seen = { connections: collector.connections, auths: collector.auths.length };
    const moves = [
      { host: '127.0.0.1', port: collector.port, security: 'none' },
      { port: collector.port, security: 'none' },
      { host: '127.0.0.1' },
      { username: 'someone-else@acme.example' },
    ];
    for (const over of moves) {
      const res = await recordsNothing(svc, () =>
        putSmtp(t, { ...savedSettings(legit.port), ...over, activate: true }),
      );
      expectPasswordRequired(res);
      expectNoSecretLeft(res.text);
    }
    const view = await svc.api.get(`/v1/tenants/${t}/mail-config`);
    expect(view.body.smtp).toMatchObject({ host: 'localhost', port: legit.port });

    const delivered = legit.inbox.deliveries.length;
    const sent = await svc.api.post(`/v1/tenants/${t}/messages`, message({ subject: `after the refused save ${t}` }));
    expect(sent.status).toBeLessThan(300);
    await legit.inbox.waitFor(delivered + 1);
    expect({ connections: collector.connections, auths: collector.auths.length }).toEqual(seen);
    expectNoSecretLeft(sent.text);
  });

  it('a save that brings its own password for the new server sends that one, never the saved one', async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    await configureSmtp(svc, t, legit.port);
    const chosen = 'the-attacker-knows-this-one';
    const moved = await putSmtp(t, {
      ...savedSettings(collector.port),
      host: '127.0.0.1',
      security: 'none',
      password: chosen,
      activate: true,
    });
    expect(moved.status).toBe(200);
    const sent = await svc.api.post(`/v1/tenants/${t}/messages`, message({ subject: `moved ${t}` }));
    expect(sent.status).toBeLessThan(300);
    await collector.inbox.waitFor(1);
    expect(collector.auths.length).toBeGreaterThan(0);
    expect(collector.auths.map((a) => a.password)).toEqual(collector.auths.map(() => chosen));
    expect(collector.auths.map((a) => a.password)).not.toContain(PEER_PASSWORD);
    expectNoSecretLeft(moved.text, sent.text);
  });
});
