import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ConnectionFactory,
  CONNECTION_FACTORY,
  type ConnectionTarget,
} from '../../src/infrastructure/mail/connection-factory';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { request } from '../support/http';
import { testCertificates } from '../support/smtp/certs';
import { type Peer, PEER_PASSWORD, PEER_USER, startSmtpPeer } from '../support/smtp/peers';
import { erased, expectProblem, invalid, PROBLEM_BASE, recordsNothing, storeOf } from './hostile';

const message = (over: Record<string, unknown> = {}) => ({
  to: ['customer@example.org'],
  subject: 'Your ticket #42',
  text: 'We are on it.',
  ...over,
});
const outbox = (svc: TestService) => {
  try {
    return readdirSync(join(svc.dataDir, 'outbox'));
  } catch {
    return [];
  }
};

/** Every socket the service opens goes through the connection factory: count them, and let only loopback out. */
function watchConnections(svc: TestService): ConnectionTarget[] {
  const attempts: ConnectionTarget[] = [];
  const factory = svc.running.app.get<ConnectionFactory>(CONNECTION_FACTORY);
  const real = factory.connect.bind(factory);
  jest.spyOn(factory, 'connect').mockImplementation(async (target) => {
    attempts.push(target);
    if (target.address === '127.0.0.1' || target.address === '::1') return real(target);
    throw Object.assign(new Error('refused by the test'), { code: 'ECONNREFUSED' });
  });
  return attempts;
}

describe('item 12: hostile SMTP hosts: every SSRF encoding stops at policy', () => {
  let listener: Peer;
  let svc: TestService;
  let attempts: ConnectionTarget[];
  let tenant: string;

  beforeAll(async () => {
    listener = await startSmtpPeer();
    svc = await startTestService({
      env: {
        SMTP_ALLOW_PRIVATE_HOSTS: 'false',
        SMTP_ALLOWED_PORTS: `25,465,587,2525,${listener.port}`,
        THROTTLE_SMTP_TEST: '1000/60',
      },
    });
    attempts = watchConnections(svc);
    tenant = uniqueTenant();
    expect((await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: uniqueTenant('acme') })).status).toBe(
      201,
    );
  });
  afterAll(async () => {
    await svc?.close();
    await listener.close();
  });

  const ip = (address: string, kind: string) =>
    `${address} is ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} address; the SMTP server must have a public internet address`;
  const local = (name: string) =>
    `${name} names a local or private host; the SMTP server must be reachable on the public internet`;

  it.each([
    ['loopback', '127.0.0.1', ip('127.0.0.1', 'loopback')],
    ['loopback by name', 'localhost', local('localhost')],
    ['loopback by name, upper case with a trailing dot', 'LOCALHOST.', local('localhost')],
    ['loopback by full-width name', 'ｌｏｃａｌｈｏｓｔ', local('localhost')],
    ['loopback, short form', '127.1', ip('127.0.0.1', 'loopback')],
    ['loopback, one hex number', '0x7f000001', ip('127.0.0.1', 'loopback')],
    ['loopback, one decimal number', '2130706433', ip('127.0.0.1', 'loopback')],
    ['loopback, octal', '0177.0.0.1', ip('127.0.0.1', 'loopback')],
    ['loopback, mixed hex', '0x7f.1', ip('127.0.0.1', 'loopback')],
    ['IPv6 loopback', '[::1]', ip('::1', 'loopback')],
    ['IPv6 loopback without brackets', '::1', ip('::1', 'loopback')],
    ['IPv4-mapped IPv6 loopback', '[::ffff:127.0.0.1]', ip('::ffff:127.0.0.1', 'loopback')],
    ['IPv4-mapped IPv6 loopback in hex', '[::ffff:7f00:1]', ip('::ffff:7f00:1', 'loopback')],
    ['NAT64 loopback', '[64:ff9b::7f00:1]', ip('64:ff9b::7f00:1', 'loopback')],
    ['6to4 loopback', '[2002:7f00:1::]', ip('2002:7f00:1::', 'loopback')],
    ['unspecified', '0.0.0.0', ip('0.0.0.0', 'unspecified')],
    ['private 10/8', '10.0.0.8', ip('10.0.0.8', 'private')],
    ['private 192.168/16', '192.168.1.1', ip('192.168.1.1', 'private')],
    ['carrier-grade NAT', '100.64.0.1', ip('100.64.0.1', 'shared (carrier-grade NAT)')],
    ['cloud metadata', '169.254.169.254', ip('169.254.169.254', 'link-local')],
    ['cloud metadata, decimal', '2852039166', ip('169.254.169.254', 'link-local')],
    ['IPv4-mapped cloud metadata', '[::ffff:169.254.169.254]', ip('::ffff:169.254.169.254', 'link-local')],
    ['IPv6 unique local (AWS metadata)', '[fd00:ec2::254]', ip('fd00:ec2::254', 'private')],
    ['IPv6 link-local', '[fe80::1]', ip('fe80::1', 'link-local')],
  ])('candidate test of %s (%s): 200 policy, no connection, nothing recorded', async (_, host, message) => {
    const before = listener.connections;
    const res = await recordsNothing(svc, () =>
      svc.api.post(`/v1/tenants/${tenant}/mail-config/smtp/test`, {
        address: 'help@acme.example',
        host,
        port: listener.port,
        password: 'Policy-Pa55',
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: false, stage: 'policy', message, durationMs: expect.any(Number) });
    expect(res.text).not.toContain('Policy-Pa55');
    expect(attempts).toEqual([]);
    expect(listener.connections).toBe(before);
  });

  it.each([22, 80, 6379])('candidate test on port %i: 200 policy, no connection, nothing recorded', async (port) => {
    const res = await recordsNothing(svc, () =>
      svc.api.post(`/v1/tenants/${tenant}/mail-config/smtp/test`, {
        address: 'help@acme.example',
        host: '93.184.216.34',
        port,
        password: 'x',
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ok: false,
      stage: 'policy',
      message: expect.stringContaining(`Port ${port} is not allowed`),
      durationMs: expect.any(Number),
    });
    expect(attempts).toEqual([]);
  });
});

describe('item 4: hostile messages: CR/LF, NUL and size', () => {
  let svc: TestService;
  let tenant: string;
  beforeAll(async () => {
    svc = await startTestService({ env: { THROTTLE_SEND: '1000/60' } });
    tenant = uniqueTenant();
    expect((await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: uniqueTenant('acme') })).status).toBe(
      201,
    );
  });
  afterAll(async () => svc.close());

  const CONTROL = (field: string) => ({
    field,
    message: `${field} must not contain CR, LF or other control characters`,
  });

  it.each([
    ['subject with CR/LF', { subject: 'Hi\r\nBcc: victim@example.org' }, [CONTROL('subject')]],
    ['subject with a bare LF', { subject: 'Hi\nBcc: victim@example.org' }, [CONTROL('subject')]],
    ['subject with NUL', { subject: 'Hi\u0000there' }, [CONTROL('subject')]],
    [
      'to with CR/LF',
      { to: ['customer@example.org\r\nBcc: victim@example.org'] },
      [{ field: 'to', message: 'to must hold email addresses' }, CONTROL('to')],
    ],
    [
      'cc with CR/LF',
      { cc: ['a@example.org\r\nX-Evil: 1'] },
      [{ field: 'cc', message: 'cc must hold email addresses' }, CONTROL('cc')],
    ],
    [
      'bcc with NUL',
      { bcc: ['a@example.org\u0000'] },
      [{ field: 'bcc', message: 'bcc must hold email addresses' }, CONTROL('bcc')],
    ],
    [
      'replyTo with LF',
      { replyTo: 'a@example.org\nX-Evil: 1' },
      [CONTROL('replyTo'), { field: 'replyTo', message: 'replyTo must be an email address' }],
    ],
    [
      'attachment filename with CR/LF',
      { attachments: [{ filename: 'a\r\n.txt', contentType: 'text/plain', contentBase64: 'YQ==' }] },
      [{ field: 'attachments[0].filename', message: 'filename must not contain CR, LF or other control characters' }],
    ],
    [
      'attachment content type with CR/LF',
      { attachments: [{ filename: 'a.txt', contentType: 'text/plain\r\nX-Evil: 1', contentBase64: 'YQ==' }] },
      [
        {
          field: 'attachments[0].contentType',
          message: 'contentType must be a MIME type such as application/pdf, without CR or LF',
        },
      ],
    ],
  ])('refuses a %s (400 naming the field), sends nothing and records nothing', async (_, over, errors) => {
    const before = outbox(svc);
    const res = await recordsNothing(svc, () => svc.api.post(`/v1/tenants/${tenant}/messages`, message(over)));
    expect(res.status).toBe(400);
    expectProblem(res, invalid(errors as { field: string; message: string }[]));
    expect(outbox(svc)).toEqual(before);
  });

  it('refuses a message body over 10 MiB (413), sends nothing and records nothing', async () => {
    const before = outbox(svc);
    const res = await recordsNothing(svc, () =>
      request('POST', `${svc.url}/v1/tenants/${tenant}/messages`, {
        token: svc.apiToken,
        rawBody: JSON.stringify(message({ text: 'x'.repeat(10 * 1024 * 1024 + 1) })),
      }),
    );
    expect(res.status).toBe(413);
    expectProblem(res, {
      type: `${PROBLEM_BASE}payload-too-large`,
      title: 'Payload too large',
      status: 413,
      detail: 'The request body is larger than this route accepts: at most 10 MiB (10485760 bytes)',
      limitBytes: 10485760,
    });
    expect(outbox(svc)).toEqual(before);
  });
});

describe('item 5: a credential the service cannot open: clear problems, never an empty password', () => {
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
    await peer.close();
  });

  async function smtpTenantWithBrokenSecret(): Promise<string> {
    const t = uniqueTenant();
    await svc.api.post(`/v1/tenants/${t}/mail-config`, { username: uniqueTenant('acme') });
    const saved = await svc.api.put(`/v1/tenants/${t}/mail-config/smtp`, {
      address: 'help@acme.example',
      host: 'localhost',
      port: peer.port,
      security: 'starttls',
      username: PEER_USER,
      password: PEER_PASSWORD,
      activate: true,
    });
    expect(saved.status).toBe(200);
    // Sanity: with its secret intact the tenant does send, so the refusals below are about the secret.
    expect((await svc.api.post(`/v1/tenants/${t}/mail-config/smtp/test`)).body).toMatchObject({
      ok: true,
      stage: 'done',
    });
    const store = storeOf(svc);
    const events = await store.readStream(`mailConfig-${t}`);
    const configured = events.find((e) => e.type === 'SmtpConfigured')!;
    const sealed = (configured.data as { password: { keyId: string; ciphertext: string } }).password;
    const box = Buffer.from(sealed.ciphertext, 'base64');
    box[box.length - 1] ^= 0x01;
    await store.appendToStream(
      `mailConfig-${t}`,
      [
        {
          eventId: randomUUID(),
          type: 'SmtpConfigured',
          data: { ...(configured.data as object), password: { ...sealed, ciphertext: box.toString('base64') } },
          metadata: configured.metadata,
        },
      ],
      { expectedVersion: events.length },
    );
    return t;
  }

  const unavailable = {
    type: `${PROBLEM_BASE}credential-unavailable`,
    title: 'Credential unavailable',
    status: 409,
    detail: 'The stored credential failed its integrity check',
    reason: 'integrity',
    code: 'CREDENTIAL_UNAVAILABLE',
  };

  it('shows the credential as unavailable and refuses test and send with 409, without connecting or recording', async () => {
    const t = await smtpTenantWithBrokenSecret();
    expect((await svc.api.get(`/v1/tenants/${t}/mail-config`)).body.smtp).toMatchObject({
      credential: 'unavailable',
      credentialProblem: 'integrity',
    });
    const connections = peer.connections;
    const logins = peer.logins.length;
    const delivered = peer.inbox.deliveries.length;
    await recordsNothing(svc, async () => {
      for (const res of [
        await svc.api.post(`/v1/tenants/${t}/mail-config/smtp/test`),
        await svc.api.post(`/v1/tenants/${t}/mail-config/smtp/test`, {
          address: 'help@acme.example',
          host: 'localhost',
          port: peer.port,
          // The saved login: only then may a candidate without a password reuse the saved one.
          username: PEER_USER,
        }),
        await svc.api.post(`/v1/tenants/${t}/messages`, message()),
      ]) {
        expect(res.status).toBe(409);
        expectProblem(res, unavailable);
      }
    });
    expect(peer.connections).toBe(connections);
    expect(peer.logins.length).toBe(logins);
    expect(peer.inbox.deliveries.length).toBe(delivered);
  });

  it('answers 410 to test and send once the tenant is erased, without connecting', async () => {
    const t = await smtpTenantWithBrokenSecret();
    expect((await svc.api.delete(`/v1/tenants/${t}/mail-config`)).status).toBe(200);
    const connections = peer.connections;
    await recordsNothing(svc, async () => {
      for (const res of [
        await svc.api.post(`/v1/tenants/${t}/mail-config/smtp/test`),
        await svc.api.post(`/v1/tenants/${t}/messages`, message()),
      ]) {
        expect(res.status).toBe(410);
        expectProblem(res, erased);
      }
    });
    expect(peer.connections).toBe(connections);
  });
});
