import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { request } from '../support/http';
import { testCertificates } from '../support/smtp/certs';
import { type Peer, startSmtpPeer } from '../support/smtp/peers';
import { configureSmtp, message, provision } from '../support/smtp/scenario';

const outboxFiles = (svc: TestService) => {
  try {
    return readdirSync(join(svc.dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
};

async function fromOutbox(svc: TestService, messageId: string): Promise<{ mail: ParsedMail; raw: string }> {
  for (const f of outboxFiles(svc)) {
    const raw = readFileSync(join(svc.dataDir, 'outbox', f));
    const mail = await simpleParser(raw);
    if (mail.messageId === messageId) return { mail, raw: raw.toString('utf8') };
  }
  throw new Error(`no outbox file holds ${messageId}`);
}

const THREAD = {
  inReplyTo: '<question-1@client.example>',
  references: ['<start-0@client.example>', '<question-1@client.example>'],
};

describe('help-desk headers: display name, threading and custom headers in every mode', () => {
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

  it('takes the display name at provisioning, shows it in the view and puts it in the outbox file’s From', async () => {
    const t = uniqueTenant();
    const created = await svc.api.post(`/v1/tenants/${t}/mail-config`, {
      username: `acme${t.slice(2).toLowerCase()}`,
      displayName: 'Acme Support',
    });
    expect(created.status).toBe(201);
    expect(created.body.displayName).toBe('Acme Support');
    const address = created.body.default.address as string;
    const res = await svc.api.post(
      `/v1/tenants/${t}/messages`,
      message({ ...THREAD, headers: { 'X-Ticket-Id': '4711', 'x-helpdesk-queue': 'printers' } }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'default', delivery: 'outbox', from: address, fromName: 'Acme Support' });
    const { mail, raw } = await fromOutbox(svc, res.body.messageId);
    expect(mail.from?.value).toEqual([{ name: 'Acme Support', address }]);
    expect(raw).toContain(`From: Acme Support <${address}>`);
    expect(mail.inReplyTo).toBe(THREAD.inReplyTo);
    expect(mail.references).toEqual(THREAD.references);
    expect(mail.headers.get('x-ticket-id')).toBe('4711');
    expect(mail.headers.get('x-helpdesk-queue')).toBe('printers');
    const history = await svc.api.get(`/v1/tenants/${t}/mail-config/history`);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual([
      'MailConfigProvisioned',
      'DisplayNameChanged',
    ]);
  });

  it('changes the display name later (recorded once), encodes a non-ASCII one, and lets fromName override it', async () => {
    const t = uniqueTenant();
    const address = await provision(svc, t);
    const name = 'Zoë’s Support, "Köln" office';
    const put = () => svc.api.put(`/v1/tenants/${t}/mail-config/display-name`, { displayName: name });
    const first = await put();
    expect(first.status).toBe(200);
    expect(first.body.displayName).toBe(name);
    expect((await put()).body.version).toBe(first.body.version);
    expect((await svc.api.get(`/v1/tenants/${t}/mail-config`)).body.displayName).toBe(name);

    const res = await svc.api.post(`/v1/tenants/${t}/messages`, message());
    const { mail, raw } = await fromOutbox(svc, res.body.messageId);
    expect(mail.from?.value).toEqual([{ name, address }]);
    // Encoded (RFC 2047), never raw UTF-8 in the header.
    expect(raw).toMatch(/^From: =\?UTF-8\?[QB]\?/m);

    const own = await svc.api.post(`/v1/tenants/${t}/messages`, message({ fromName: 'Ana from Acme' }));
    expect(own.body.fromName).toBe('Ana from Acme');
    expect((await fromOutbox(svc, own.body.messageId)).mail.from?.value).toEqual([{ name: 'Ana from Acme', address }]);

    const cleared = await svc.api.put(`/v1/tenants/${t}/mail-config/display-name`, { displayName: null });
    expect(cleared.body.displayName).toBeNull();
    const bare = await svc.api.post(`/v1/tenants/${t}/messages`, message());
    expect(bare.body.fromName).toBeNull();
    expect((await fromOutbox(svc, bare.body.messageId)).mail.from?.value).toEqual([{ name: '', address }]);
  });

  it('delivers display name, In-Reply-To and References to the tenant’s SMTP server', async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    await svc.api.put(`/v1/tenants/${t}/mail-config/display-name`, { displayName: 'Acme Support' });
    await configureSmtp(svc, t, peer.port);
    const res = await svc.api.post(`/v1/tenants/${t}/messages`, message({ ...THREAD, subject: `thread ${t}` }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'smtp', delivery: 'smtp', fromName: 'Acme Support' });
    const d = (await peer.inbox.waitFor(1)).find((x) => x.mail.messageId === res.body.messageId)!;
    expect(d.mail.from?.value).toEqual([{ name: 'Acme Support', address: 'help@acme.example' }]);
    expect(d.mail.inReplyTo).toBe(THREAD.inReplyTo);
    expect(d.mail.references).toEqual(THREAD.references);
    expect(d.envelope.from).toBe('help@acme.example');
  });

  it.each([
    ['fromName', { fromName: 'Acme\r\nBcc: victim@example.org' }],
    ['fromName', { fromName: 'Acme\u0000' }],
    ['inReplyTo', { inReplyTo: '<a@client.example>\r\nBcc: victim@example.org' }],
    ['inReplyTo', { inReplyTo: 'not-a-message-id' }],
    ['references', { references: ['<a@client.example>', '<b@client.example>\nBcc: victim@example.org'] }],
    ['headers', { headers: { 'X-Ticket-Id': '4711\r\nBcc: victim@example.org' } }],
    ['headers', { headers: { 'X-Ticket\r\nBcc': 'victim@example.org' } }],
    ['headers', { headers: { Bcc: 'victim@example.org' } }],
    ['headers', { headers: { 'X-Spam-Status': 'No' } }],
    ['headers', { headers: { 'X-Ticket': 'a', 'x-ticket': 'b' } }],
  ])('refuses %s %j with 400 naming the field; nothing reaches the outbox or the SMTP peer', async (field, over) => {
    const outboxTenant = uniqueTenant();
    await provision(svc, outboxTenant);
    const smtpTenant = uniqueTenant();
    await provision(svc, smtpTenant);
    await configureSmtp(svc, smtpTenant, peer.port);
    const files = outboxFiles(svc).length;
    const delivered = peer.inbox.deliveries.length;
    for (const t of [outboxTenant, smtpTenant]) {
      const res = await svc.api.post(`/v1/tenants/${t}/messages`, message(over));
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(JSON.stringify(res.body)).not.toContain('victim@example.org');
    }
    expect(outboxFiles(svc)).toHaveLength(files);
    expect(peer.inbox.deliveries).toHaveLength(delivered);
  });

  it('refuses CR/LF in a display name at provisioning and later (400 naming displayName), recording nothing', async () => {
    const t = uniqueTenant();
    const bad = await svc.api.post(`/v1/tenants/${t}/mail-config`, {
      username: `crlf${t.slice(2).toLowerCase()}`,
      displayName: 'Acme\r\nBcc: victim@example.org',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['displayName']);
    expect((await svc.api.get(`/v1/tenants/${t}/mail-config`)).status).toBe(404);
    await provision(svc, t);
    for (const displayName of ['Acme\nSupport', '', '   ', 'x'.repeat(101), 42]) {
      const res = await svc.api.put(`/v1/tenants/${t}/mail-config/display-name`, { displayName });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['displayName']);
    }
    const history = await svc.api.get(`/v1/tenants/${t}/mail-config/history`);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['MailConfigProvisioned']);
  });

  it('describes the new fields and the display-name route in the OpenAPI document', async () => {
    const doc = (await svc.anonymous.get('/docs-json')).body;
    expect(Object.keys(doc.paths['/v1/tenants/{tenantId}/mail-config/display-name'])).toEqual(['put']);
    const { schemas } = doc.components;
    expect(Object.keys(schemas.SendMessageDto.properties)).toEqual(
      expect.arrayContaining(['fromName', 'inReplyTo', 'references', 'headers']),
    );
    expect(schemas.Delivery.enum).toEqual(['relay', 'outbox', 'gmail', 'microsoft', 'smtp']);
    expect(schemas.SendResult.properties.delivery).toEqual({ $ref: '#/components/schemas/Delivery' });
    expect(Object.keys(schemas.ProvisionDto.properties)).toContain('displayName');
  });

  it('states the limit in the 413 of an oversized send body', async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    const files = outboxFiles(svc).length;
    const res = await request('POST', `${svc.url}/v1/tenants/${t}/messages`, {
      token: svc.apiToken,
      rawBody: JSON.stringify(message({ text: 'x'.repeat(10 * 1024 * 1024 + 1) })),
    });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({
      status: 413,
      detail: 'The request body is larger than this route accepts: at most 10 MiB (10485760 bytes)',
      limitBytes: 10485760,
    });
    expect(outboxFiles(svc)).toHaveLength(files);
  });
});
