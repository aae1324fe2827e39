import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { DecideAndAppend } from '../../src/application/mail-config/decide-and-append';
import { GrantRevokedError } from '../../src/application/ports/mail-transport.port';
import { ModeSenderRegistry } from '../../src/application/sending/mode-senders';
import { GMAIL_SEND_SCOPE } from '../../src/domain/mail-config/mail-config.types';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { dataDirContains } from '../support/files';
import { testCertificates } from '../support/smtp/certs';
import { closedPort, type Peer, PEER_PASSWORD, startSmtpPeer } from '../support/smtp/peers';
import { configureSmtp, eventTypes, message, provision } from '../support/smtp/scenario';

const outboxFiles = (svc: TestService) => {
  try {
    return readdirSync(join(svc.dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
};

/** Gmail authorized (and so the active mode) without a consent round trip: the sender under test is a stand-in. */
async function authorizeGmail(svc: TestService, tenantId: string, account: string): Promise<void> {
  await svc.running.app.get(DecideAndAppend).handle(
    tenantId,
    {
      type: 'AuthorizeGmail',
      data: {
        account,
        scopes: [GMAIL_SEND_SCOPE],
        refreshToken: { keyId: 'test', ciphertext: 'sealed' },
        at: new Date().toISOString(),
      },
    },
    { actor: 'test', correlationId: 'test' },
  );
}

describe('POST /v1/tenants/{id}/messages', () => {
  let relayPeer: Peer, tenantPeer: Peer, dropping: Peer;
  let closed: number;
  let outboxSvc: TestService, relaySvc: TestService;

  beforeAll(async () => {
    [relayPeer, tenantPeer, dropping] = await Promise.all([
      startSmtpPeer({ starttls: 'none', auth: false }),
      startSmtpPeer(),
      startSmtpPeer({ dropAfterData: true }),
    ]);
    closed = await closedPort();
    const env = {
      SMTP_ALLOWED_PORTS: [tenantPeer.port, dropping.port, closed].join(','),
      SMTP_EXTRA_CA_FILE: testCertificates().caFile,
    };
    outboxSvc = await startTestService({ env });
    relaySvc = await startTestService({ env: { ...env, DEFAULT_RELAY_URL: `smtp://127.0.0.1:${relayPeer.port}` } });
  });
  afterAll(async () => {
    await Promise.all([outboxSvc?.close(), relaySvc?.close()]);
    await Promise.all([relayPeer, tenantPeer, dropping].map((p) => p.close()));
  });

  it('default mode without a relay: the message lands as .eml in DATA_DIR/outbox from support.<username>@smemetrics-email.com', async () => {
    const t = uniqueTenant();
    await provision(outboxSvc, t, 'acme');
    const res = await outboxSvc.api.post(`/v1/tenants/${t}/messages`, message({ html: '<p>We are on it.</p>' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      mode: 'default',
      delivery: 'outbox',
      from: 'support.acme@smemetrics-email.com',
      fallback: null,
    });
    const parsed = await Promise.all(
      outboxFiles(outboxSvc).map((f) => simpleParser(readFileSync(join(outboxSvc.dataDir, 'outbox', f)))),
    );
    const mail = parsed.find((m) => m.messageId === res.body.messageId)!;
    expect(mail.from?.text).toBe('support.acme@smemetrics-email.com');
    expect(mail.subject).toBe('Your ticket #42');
    expect(mail.html).toContain('We are on it.');
  });

  it('default mode through DEFAULT_RELAY_URL arrives at the relay with the right From', async () => {
    const t = uniqueTenant();
    await provision(relaySvc, t, 'globex');
    const res = await relaySvc.api.post(
      `/v1/tenants/${t}/messages`,
      message({ to: ['a@example.org'], cc: ['b@example.org'] }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'default', delivery: 'relay' });
    const delivery = (await relayPeer.inbox.waitFor(1)).find((d) => d.mail.messageId === res.body.messageId)!;
    expect(delivery.mail.from?.text).toBe('support.globex@smemetrics-email.com');
    expect(delivery.envelope).toEqual({
      from: 'support.globex@smemetrics-email.com',
      to: ['a@example.org', 'b@example.org'],
    });
  });

  it('smtp mode arrives through the tenant server with the SMTP address as From, attachments intact', async () => {
    const t = uniqueTenant();
    await provision(outboxSvc, t);
    await configureSmtp(outboxSvc, t, tenantPeer.port);
    const res = await outboxSvc.api.post(
      `/v1/tenants/${t}/messages`,
      message({
        bcc: ['audit@example.org'],
        replyTo: 'replies@acme.example',
        html: '<b>hi</b>',
        attachments: [
          { filename: 'log.txt', contentType: 'text/plain', contentBase64: Buffer.from('line 1\n').toString('base64') },
        ],
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'smtp', from: 'help@acme.example', fallback: null });
    expect(res.body.messageId).toMatch(/^<[^@]+@acme\.example>$/);
    const d = (await tenantPeer.inbox.waitFor(1)).find((x) => x.mail.messageId === res.body.messageId)!;
    expect(d.mail.from?.text).toBe('help@acme.example');
    expect(d.mail.replyTo?.text).toBe('replies@acme.example');
    expect(d.mail.text?.trim()).toBe('We are on it.');
    expect(d.envelope.to.sort()).toEqual(['audit@example.org', 'customer@example.org']);
    expect(d.mail.headers.has('bcc')).toBe(false);
    expect(d.mail.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['log.txt', 'line 1\n']]);
  });

  it('the same Idempotency-Key twice delivers once, also across a restart', async () => {
    const t = uniqueTenant();
    await provision(outboxSvc, t);
    await configureSmtp(outboxSvc, t, tenantPeer.port);
    const body = message({ subject: `idempotent ${t}` });
    const headers = { 'Idempotency-Key': `order-${t}` };
    const first = await outboxSvc.api.post(`/v1/tenants/${t}/messages`, body, headers);
    const second = await outboxSvc.api.post(`/v1/tenants/${t}/messages`, body, headers);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    await outboxSvc.restart();
    const third = await outboxSvc.api.post(`/v1/tenants/${t}/messages`, body, headers);
    expect(third.status).toBe(200);
    expect(third.body).toEqual(first.body);
    await new Promise((r) => setTimeout(r, 300));
    expect(tenantPeer.inbox.deliveries.filter((d) => d.mail.subject === `idempotent ${t}`)).toHaveLength(1);
    const reused = await outboxSvc.api.post(`/v1/tenants/${t}/messages`, { ...body, subject: 'another' }, headers);
    expect(reused.status).toBe(422);
    expect(reused.body).toEqual({
      type: 'https://smemetrics-email.com/problems/idempotency-key-reused',
      title: 'Idempotency-Key reused',
      status: 422,
      detail: 'This Idempotency-Key was already used for a different message',
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('answers 409 with Retry-After to the same Idempotency-Key while the first request is still sending', async () => {
    const t = uniqueTenant();
    await provision(relaySvc, t, 'hooli');
    const app = relaySvc.running.app;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const gmail = {
      mode: 'gmail' as const,
      send: jest.fn(async (_t: unknown, m: { messageId: string }) => {
        await held;
        return { messageId: m.messageId, accepted: ['customer@example.org'], rejected: [] };
      }),
    };
    app.get(ModeSenderRegistry).register(gmail);
    await authorizeGmail(relaySvc, t, 'owner@hooli.example');
    const headers = { 'Idempotency-Key': `held-${t}` };
    const first = relaySvc.api.post(`/v1/tenants/${t}/messages`, message(), headers);
    while (gmail.send.mock.calls.length === 0) await new Promise((r) => setTimeout(r, 10));
    const second = await relaySvc.api.post(`/v1/tenants/${t}/messages`, message(), headers);
    release();
    expect(second.status).toBe(409);
    expect(second.headers.get('retry-after')).toBe('1');
    expect(second.body).toEqual({
      type: 'https://smemetrics-email.com/problems/idempotency-in-progress',
      title: 'Request in progress',
      status: 409,
      detail: 'A request with this Idempotency-Key is still being processed; retry when it has finished',
      code: 'IDEMPOTENCY_IN_PROGRESS',
    });
    expect((await first).status).toBe(200);
    expect(gmail.send).toHaveBeenCalledTimes(1);
  });

  it('answers 503 naming the mode when no sender serves the tenant’s active mode', async () => {
    const t = uniqueTenant();
    await provision(outboxSvc, t, 'piedpiper');
    await authorizeGmail(outboxSvc, t, 'owner@piedpiper.example');
    const res = await outboxSvc.api.post(`/v1/tenants/${t}/messages`, message());
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      type: 'https://smemetrics-email.com/problems/mode-unavailable',
      title: 'Mode unavailable',
      status: 503,
      detail: 'Sending in mode gmail is not available on this service',
      mode: 'gmail',
      code: 'MODE_UNAVAILABLE',
    });
  });

  it.each([
    ['subject', { subject: 'Hi\r\nBcc: victim@example.org' }],
    ['to', { to: ['customer@example.org\r\nBcc: victim@example.org'] }],
    ['replyTo', { replyTo: 'a@example.org\nX-Evil: 1' }],
    [
      'attachments[0].filename',
      { attachments: [{ filename: 'a\r\n.txt', contentType: 'text/plain', contentBase64: 'YQ==' }] },
    ],
    [
      'attachments[0].contentType',
      { attachments: [{ filename: 'a.txt', contentType: 'text/plain\r\nX-Evil: 1', contentBase64: 'YQ==' }] },
    ],
  ])('CR/LF in %s is 400 naming the field, and nothing is sent', async (field, over) => {
    const t = uniqueTenant();
    await provision(outboxSvc, t);
    const before = outboxFiles(outboxSvc).length;
    const res = await outboxSvc.api.post(`/v1/tenants/${t}/messages`, message(over));
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(outboxFiles(outboxSvc)).toHaveLength(before);
  });

  it('answers 502 with the stage, and records DeliveryFailing once after 3 failures and DeliveryRecovered on success', async () => {
    const t = uniqueTenant();
    await provision(outboxSvc, t);
    await configureSmtp(outboxSvc, t, closed);
    for (let i = 0; i < 4; i++) {
      const res = await outboxSvc.api.post(`/v1/tenants/${t}/messages`, message(), {
        'X-Request-Id': `fail-${i}-${t}`,
      });
      expect(res.status).toBe(502);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 502, stage: 'connect', uncertain: false, mode: 'smtp' });
      const failing = (await eventTypes(outboxSvc, t)).filter((e) => e === 'DeliveryFailing');
      expect(failing).toHaveLength(i >= 2 ? 1 : 0);
    }
    const view = await outboxSvc.api.get(`/v1/tenants/${t}/mail-config`);
    expect(view.body.delivery).toMatchObject({ failing: true, stage: 'connect' });
    await configureSmtp(outboxSvc, t, tenantPeer.port);
    expect((await outboxSvc.api.post(`/v1/tenants/${t}/messages`, message())).status).toBe(200);
    expect((await outboxSvc.api.post(`/v1/tenants/${t}/messages`, message())).status).toBe(200);
    const types = await eventTypes(outboxSvc, t);
    expect(types.filter((e) => e === 'DeliveryFailing')).toHaveLength(1);
    expect(types.filter((e) => e === 'DeliveryRecovered')).toHaveLength(1);
    // The service's own observations: actor system, caused by the send that crossed the threshold.
    const history = (await outboxSvc.api.get(`/v1/tenants/${t}/mail-config/history?limit=500`)).body.events;
    expect(history.find((e: { type: string }) => e.type === 'DeliveryFailing')).toMatchObject({
      actor: 'system',
      detectedBy: 'send',
      causationId: `fail-2-${t}`,
    });
    expect(history.find((e: { type: string }) => e.type === 'DeliveryRecovered')).toMatchObject({
      actor: 'system',
      detectedBy: 'send',
    });
  });

  it('reports a connection lost after DATA as uncertain and does not send again on retry', async () => {
    const t = uniqueTenant();
    await provision(outboxSvc, t);
    await configureSmtp(outboxSvc, t, dropping.port);
    const headers = { 'Idempotency-Key': `uncertain-${t}` };
    const before = dropping.connections;
    const first = await outboxSvc.api.post(`/v1/tenants/${t}/messages`, message(), headers);
    expect(first.status).toBe(502);
    expect(first.body).toMatchObject({ stage: 'send', uncertain: true });
    const retry = await outboxSvc.api.post(`/v1/tenants/${t}/messages`, message(), headers);
    expect(retry.status).toBe(502);
    expect(retry.body).toMatchObject({ stage: 'send', uncertain: true });
    expect(dropping.connections - before).toBe(1);
  });

  it('refuses a message with neither text nor html (400), naming text', async () => {
    const t = uniqueTenant();
    await provision(outboxSvc, t);
    const res = await outboxSvc.api.post(`/v1/tenants/${t}/messages`, { to: ['a@example.org'], subject: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('text');
  });

  it('falls back to mode 1 when a mode’s sender reports the grant gone, recording the revocation once', async () => {
    const t = uniqueTenant();
    await provision(relaySvc, t, 'initech');
    const app = relaySvc.running.app;
    // Stands in for the Gmail sender of issue 5: only the registration contract is exercised here.
    const gmail = { mode: 'gmail' as const, send: jest.fn(async () => Promise.reject(new GrantRevokedError())) };
    app.get(ModeSenderRegistry).register(gmail);
    await authorizeGmail(relaySvc, t, 'owner@initech.example');
    const res = await relaySvc.api.post(`/v1/tenants/${t}/messages`, message({ subject: `fallback ${t}` }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      mode: 'default',
      from: 'support.initech@smemetrics-email.com',
      fallback: { from: 'gmail', reason: 'grant_revoked' },
    });
    expect(gmail.send).toHaveBeenCalledTimes(1);
    const d = (await relayPeer.inbox.waitFor(1)).find((x) => x.mail.subject === `fallback ${t}`)!;
    expect(d.mail.from?.text).toBe('support.initech@smemetrics-email.com');
    const types = await eventTypes(relaySvc, t);
    expect(types.slice(-3)).toEqual(['ModeChanged', 'ConsentRevoked', 'ModeChanged']);
    const view = await relaySvc.api.get(`/v1/tenants/${t}/mail-config`);
    expect(view.body).toMatchObject({
      mode: 'default',
      gmail: { status: 'revoked', revokedReason: 'revoked_at_google' },
    });
  });

  it('never lets the SMTP password into a response, a log line or the data directory', async () => {
    const responses =
      JSON.stringify(await outboxSvc.api.get('/v1/audit/events')) +
      JSON.stringify(await outboxSvc.support.get('/v1/audit/events'));
    expect(responses).not.toContain(PEER_PASSWORD);
    expect(outboxSvc.logs.filter((l) => l.includes(PEER_PASSWORD))).toEqual([]);
    expect(relaySvc.logs.filter((l) => l.includes(PEER_PASSWORD))).toEqual([]);
    expect(dataDirContains(outboxSvc.dataDir, PEER_PASSWORD)).toEqual([]);
    expect(dataDirContains(outboxSvc.dataDir, Buffer.from(PEER_PASSWORD).toString('base64'))).toEqual([]);
  });
});
