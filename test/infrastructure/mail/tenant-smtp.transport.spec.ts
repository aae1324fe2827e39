import { type OutgoingMessage, type SmtpServerSettings } from '../../../src/application/ports/mail-transport.port';
import { TcpConnectionFactory } from '../../../src/infrastructure/mail/connection-factory';
import { type StageTimeouts } from '../../../src/infrastructure/mail/smtp/smtp-session';
import { SmtpTargetGuard } from '../../../src/infrastructure/mail/ssrf/smtp-target-guard';
import { LOOPBACK_NETWORKS, parseCidr } from '../../../src/infrastructure/mail/ssrf/ip-ranges';

const LOOPBACK = LOOPBACK_NETWORKS.map((n) => parseCidr(n)!);
import { NodemailerTenantSmtpTransport } from '../../../src/infrastructure/mail/tenant-smtp.transport';
import { testCertificates } from '../../support/smtp/certs';
import {
  closedPort,
  type Peer,
  PEER_PASSWORD,
  PEER_USER,
  startSilentPeer,
  startSmtpPeer,
} from '../../support/smtp/peers';

const FAST: StageTimeouts = { dns: 1000, connect: 1500, greeting: 1500, tls: 1500, auth: 1500, send: 1500 };

describe('tenant SMTP transport against loopback peers', () => {
  let starttls: Peer, selfSigned: Peer, noStarttls: Peer, implicit: Peer, silent: Peer, dropping: Peer;
  let closed: number;
  let connects: Array<{ address: string; port: number; servername: string | null }>;

  const transport = (timeouts: Partial<StageTimeouts> = {}) => {
    const factory = new TcpConnectionFactory();
    const recording = {
      connect: (t: Parameters<TcpConnectionFactory['connect']>[0]) => {
        connects.push({ address: t.address, port: t.port, servername: t.servername });
        return factory.connect(t);
      },
    };
    const ports = [starttls, selfSigned, noStarttls, implicit, silent, dropping].map((p) => p.port).concat(closed);
    const guard = new SmtpTargetGuard(
      { allowedPorts: ports, allowedPrivateNetworks: LOOPBACK },
      { resolve: async () => ['127.0.0.1'] },
    );
    return new NodemailerTenantSmtpTransport(guard, recording, {
      extraCa: [testCertificates().ca],
      clientName: 'mcs.test',
      testTimeouts: { ...FAST, ...timeouts },
      sendTimeouts: { ...FAST, ...timeouts },
    });
  };
  const server = (peer: Peer | number, over: Partial<SmtpServerSettings> = {}): SmtpServerSettings => ({
    host: 'localhost',
    port: typeof peer === 'number' ? peer : peer.port,
    security: 'starttls',
    username: PEER_USER,
    password: PEER_PASSWORD,
    ...over,
  });
  const message = (over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
    messageId: `<${Math.random().toString(36).slice(2)}@acme.example>`,
    from: 'help@acme.example',
    to: ['customer@example.org'],
    cc: [],
    bcc: [],
    subject: 'Hello',
    text: 'Body',
    attachments: [],
    ...over,
  });

  beforeAll(async () => {
    [starttls, selfSigned, noStarttls, implicit, silent, dropping] = await Promise.all([
      startSmtpPeer(),
      startSmtpPeer({ starttls: 'self-signed' }),
      startSmtpPeer({ starttls: 'none' }),
      startSmtpPeer({ implicitTls: true }),
      startSilentPeer(),
      startSmtpPeer({ dropAfterData: true }),
    ]);
    closed = await closedPort();
  });
  afterAll(async () => {
    await Promise.all([starttls, selfSigned, noStarttls, implicit, silent, dropping].map((p) => p.close()));
  });
  beforeEach(() => {
    connects = [];
  });

  it('reports done for a good STARTTLS configuration, verifying the certificate against the host name', async () => {
    const report = await transport().verify(server(starttls));
    expect(report).toMatchObject({ ok: true, stage: 'done' });
    expect(report.message).toContain('with TLS');
    // The connection went to the checked address; TLS was told the name (the cert has no IP in it).
    expect(connects).toEqual([{ address: '127.0.0.1', port: starttls.port, servername: 'localhost' }]);
    expect(starttls.servernames).toContain('localhost');
    expect(starttls.logins).toContainEqual({ user: PEER_USER, ok: true });
  });

  it('reports done for implicit TLS and delivers the test message to sendTo only', async () => {
    const test = message({ to: ['tester@example.org'], subject: 'SMTP test' });
    const report = await transport().verify(server(implicit, { security: 'tls' }), { sendTest: test });
    expect(report).toMatchObject({ ok: true, stage: 'done' });
    const [delivery] = await implicit.inbox.waitFor(1);
    expect(delivery.envelope.to).toEqual(['tester@example.org']);
    expect(delivery.mail.subject).toBe('SMTP test');
  });

  it('reports auth with a message a tenant can act on for a wrong password, without the password', async () => {
    const report = await transport().verify(server(starttls, { password: 'wrong-password-123' }));
    expect(report).toMatchObject({
      ok: false,
      stage: 'auth',
      message: expect.stringContaining('Authentication failed: the server rejected the username or password'),
    });
    expect(JSON.stringify(report)).not.toContain('wrong-password-123');
  });

  it('reports connect for a closed port', async () => {
    const report = await transport().verify(server(closed));
    expect(report).toMatchObject({ ok: false, stage: 'connect' });
    expect(report.message).toMatch(/connection refused/);
  });

  it('reports tls when STARTTLS is required but the server does not offer it, and never sends AUTH in plaintext', async () => {
    const report = await transport().verify(server(noStarttls, { port: noStarttls.port }));
    expect(report).toMatchObject({ ok: false, stage: 'tls' });
    expect(report.message).toContain(
      `The server does not offer STARTTLS on port ${noStarttls.port} — try port 465 with TLS`,
    );
    expect(noStarttls.logins).toEqual([]);
  });

  it('reports tls for an untrusted (self-signed) certificate', async () => {
    const report = await transport().verify(server(selfSigned));
    expect(report).toMatchObject({ ok: false, stage: 'tls' });
    expect(report.message).toMatch(/self-signed/);
    expect(selfSigned.logins).toEqual([]);
  });

  it('reports tls when the certificate does not match the host name', async () => {
    // The peer's certificate names "localhost"; reached by IP literal, it must not be accepted.
    const report = await transport().verify(server(starttls, { host: '127.0.0.1' }));
    expect(report).toMatchObject({ ok: false, stage: 'tls' });
    expect(report.message).toMatch(/not valid for 127\.0\.0\.1/);
  });

  it('reports a timeout at connect for a server that never greets, within the budget', async () => {
    const started = Date.now();
    const report = await transport().verify(server(silent));
    expect(report).toMatchObject({ ok: false, stage: 'connect' });
    expect(report.message).toMatch(/no SMTP greeting within/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports a timeout at tls for implicit TLS to a server that never answers', async () => {
    const report = await transport().verify(server(silent, { security: 'tls' }));
    expect(report).toMatchObject({ ok: false, stage: 'tls' });
    expect(report.message).toMatch(/did not complete within/);
  });

  it('allows plaintext AUTH only when the tenant chose security none', async () => {
    const report = await transport().verify(server(noStarttls, { security: 'none' }));
    expect(report).toMatchObject({ ok: true, stage: 'done' });
    expect(report.message).toContain('without encryption');
  });

  it('sends with From, recipients, body and attachments intact, reusing one pooled session while the settings stay the same', async () => {
    const t = transport();
    const before = starttls.connections;
    const sent = await t.send(
      'tenant-a',
      server(starttls),
      message({
        cc: ['cc@example.org'],
        bcc: ['hidden@example.org'],
        html: '<p>Body</p>',
        attachments: [{ filename: 'report.csv', contentType: 'text/csv', content: Buffer.from('a,b\n1,2\n') }],
      }),
    );
    await t.send('tenant-a', server(starttls), message({ subject: 'Second' }));
    expect(starttls.connections - before).toBe(1);
    // Another tenant never rides on tenant-a's session, even with identical settings.
    await t.send('tenant-z', server(starttls), message({ subject: 'Third' }));
    expect(starttls.connections - before).toBe(2);
    const deliveries = await starttls.inbox.waitFor(3);
    const first = deliveries.find((d) => d.mail.messageId === sent.messageId)!;
    expect(first.mail.from?.text).toBe('help@acme.example');
    expect(first.envelope.to.sort()).toEqual(['cc@example.org', 'customer@example.org', 'hidden@example.org']);
    expect(first.mail.headers.has('bcc')).toBe(false);
    expect(first.mail.attachments[0]).toMatchObject({ filename: 'report.csv', contentType: 'text/csv' });
    expect(first.mail.attachments[0].content.toString()).toBe('a,b\n1,2\n');
    t.close();
  });

  it('opens a new session once the saved settings change: a changed password is tried, not the pooled login', async () => {
    const t = transport();
    const before = starttls.connections;
    const logins = starttls.logins.length;
    await t.send('tenant-d', server(starttls), message());
    await expect(t.send('tenant-d', server(starttls, { password: 'changed-Pa55' }), message())).rejects.toMatchObject({
      stage: 'auth',
    });
    expect(starttls.connections - before).toBe(2);
    expect(starttls.logins.slice(logins)).toEqual([
      { user: PEER_USER, ok: true },
      { user: PEER_USER, ok: false },
    ]);
    t.close();
  });

  it('reports a timeout after the data was handed over as uncertain', async () => {
    const hanging = await startSmtpPeer({ hangAfterData: true });
    const guard = new SmtpTargetGuard(
      { allowedPorts: [hanging.port], allowedPrivateNetworks: LOOPBACK },
      { resolve: async () => ['127.0.0.1'] },
    );
    const t = new NodemailerTenantSmtpTransport(guard, new TcpConnectionFactory(), {
      extraCa: [testCertificates().ca],
      clientName: 'mcs.test',
      sendTimeouts: FAST,
    });
    const error = await t.send('tenant-c', server(hanging), message()).catch((e) => e);
    expect(error).toMatchObject({ stage: 'send', uncertain: true });
    expect(error.message).toMatch(/may or may not have been delivered/);
    t.close();
    await hanging.close();
  });

  it('reports a connection lost after the data was handed over as uncertain', async () => {
    const t = transport();
    await expect(t.send('tenant-b', server(dropping), message())).rejects.toMatchObject({
      stage: 'send',
      uncertain: true,
    });
    t.close();
  });
});
