import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { GmailHarness } from '../support/google/gmail-harness';

const outbox = (h: GmailHarness) => {
  try {
    return readdirSync(join(h.svc.dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
};

describe('sending in Gmail mode through the stand-in Gmail API', () => {
  let h: GmailHarness;
  beforeAll(async () => {
    h = await GmailHarness.start();
  });
  afterAll(() => h.close());

  it('delivers to users.messages.send with the account as From and the right To, Subject and body', async () => {
    const tenant = await h.provisioned();
    expect(await h.authorize(tenant)).toEqual({ gmail: 'authorized' });
    const res = await h.send(tenant, {
      to: ['customer@example.org'],
      cc: ['boss@example.org'],
      bcc: ['archive@example.org'],
      subject: 'Re: ticket #17 – Grüße',
      text: 'Your printer is fixed.',
      html: '<p>Your printer is <b>fixed</b>.</p>',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      mode: 'gmail',
      from: 'owner@acme-mail.test',
      fallback: null,
      messageId: expect.stringMatching(/^<.+@acme-mail\.test>$/),
    });
    const sent = h.google.sent.find((m) => m.parsed.messageId === res.body.messageId)!;
    expect(sent).toMatchObject({
      account: 'owner@acme-mail.test',
      from: 'owner@acme-mail.test',
      to: ['customer@example.org'],
      cc: ['boss@example.org'],
      bcc: ['archive@example.org'],
      subject: 'Re: ticket #17 – Grüße',
      text: 'Your printer is fixed.',
    });
    expect(sent.parsed.html).toContain('<b>fixed</b>');
  });

  it('after revocation at Google, ten concurrent sends all go out through mode 1 with fallback, recording one ConsentRevoked', async () => {
    const tenant = await h.provisioned();
    await h.authorize(tenant);
    expect((await h.send(tenant)).body.mode).toBe('gmail');
    const view = await h.view(tenant);
    h.google.revokeAccess();
    const before = outbox(h).length;
    // Slow Gmail a little so all ten are past reading the tenant's mode before any of them notices.
    h.google.fail('gmail', { status: undefined, delayMs: 150, times: 10 });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => h.send(tenant, { subject: `Concurrent ${i}` })),
    );
    for (const res of results) {
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        mode: 'default',
        from: view.default.address,
        fallback: { from: 'gmail', reason: 'grant_revoked' },
      });
    }
    expect(outbox(h).length - before).toBe(10);
    const subjects = await Promise.all(
      outbox(h).map(async (f) => (await simpleParser(readFileSync(join(h.svc.dataDir, 'outbox', f)))).subject),
    );
    for (let i = 0; i < 10; i++) expect(subjects).toContain(`Concurrent ${i}`);

    const history = await h.history(tenant);
    const revoked = history.filter((e) => e.type === 'ConsentRevoked');
    expect(revoked).toHaveLength(1);
    expect(revoked[0].data).toMatchObject({
      reason: 'revoked_at_google',
      account: 'owner@acme-mail.test',
      googleRevocation: null,
    });
    expect(history.filter((e) => e.type === 'ModeChanged').map((e) => e.data.to)).toEqual(['gmail', 'default']);
    expect(await h.view(tenant)).toMatchObject({
      mode: 'default',
      gmail: { status: 'revoked', revokedReason: 'revoked_at_google' },
    });
  });

  it('records a revocation found while sending as actor system, caused by that send request', async () => {
    const tenant = await h.provisioned();
    const account = `audited-${tenant.toLowerCase()}@acme-mail.test`;
    h.google.nextConsent({ kind: 'approve', account });
    await h.authorize(tenant, { 'X-Actor': 'admin@acme.test' });
    h.google.revokeAccess(account);
    const requestId = `send-${tenant}`;
    const res = await h.send(tenant, {}, { 'X-Request-Id': requestId, 'X-Actor': 'developer@main-app.test' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(requestId);
    expect(res.body).toMatchObject({ mode: 'default', delivery: 'outbox', fallback: { from: 'gmail' } });
    const history = await h.history(tenant);
    const revoked = history.filter((e) => e.type === 'ConsentRevoked');
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({
      actor: 'system',
      detectedBy: 'send',
      causationId: requestId,
      correlationId: requestId,
      data: { reason: 'revoked_at_google', account },
    });
    // The fallback's switch to the default address is the service's too, in the same append.
    expect(history.at(-1)).toMatchObject({
      type: 'ModeChanged',
      actor: 'system',
      detectedBy: 'send',
      causationId: requestId,
      data: { to: 'default', reason: 'consent_revoked' },
    });
    expect(history.filter((e) => e.actor === 'developer@main-app.test')).toEqual([]);
  });

  it('carries the display name, In-Reply-To, References and custom headers to the Gmail API', async () => {
    const tenant = await h.provisioned();
    const account = `threads-${tenant.toLowerCase()}@acme-mail.test`;
    h.google.nextConsent({ kind: 'approve', account });
    await h.authorize(tenant);
    const named = await h.svc.api.put(`/v1/tenants/${tenant}/mail-config/display-name`, {
      displayName: 'Acme Support',
    });
    expect(named.status).toBe(200);
    const res = await h.send(tenant, {
      subject: 'Re: printer',
      inReplyTo: '<question-1@client.example>',
      references: ['<start-0@client.example>', '<question-1@client.example>'],
      headers: { 'X-Ticket-Id': '4711' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'gmail', delivery: 'gmail', from: account, fromName: 'Acme Support' });
    const sent = h.google.sent.find((m) => m.parsed.messageId === res.body.messageId)!;
    expect(sent.parsed.from?.value).toEqual([{ name: 'Acme Support', address: account }]);
    expect(sent.parsed.inReplyTo).toBe('<question-1@client.example>');
    expect(sent.parsed.references).toEqual(['<start-0@client.example>', '<question-1@client.example>']);
    expect(sent.parsed.headers.get('x-ticket-id')).toBe('4711');
  });

  it('refuses CR/LF in a help-desk header with 400 naming the field, and nothing reaches Gmail', async () => {
    const tenant = await h.provisioned();
    h.google.nextConsent({ kind: 'approve', account: `crlf-${tenant.toLowerCase()}@acme-mail.test` });
    await h.authorize(tenant);
    const count = h.google.sent.length;
    for (const [field, over] of [
      ['fromName', { fromName: 'Acme\r\nBcc: victim@example.org' }],
      ['inReplyTo', { inReplyTo: '<a@b.example>\r\nBcc: victim@example.org' }],
      ['references', { references: ['<a@b.example>\nBcc: victim@example.org'] }],
    ] as const) {
      const res = await h.send(tenant, over);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(h.google.sent.length).toBe(count);
  });

  it('takes a transient 503 of the token endpoint for what it is: retried, nothing revoked', async () => {
    const tenant = await h.provisioned();
    await h.authorize(tenant);
    h.google.fail('refresh', { status: 503, times: 2 });
    const ok = await h.send(tenant);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ mode: 'gmail', fallback: null });

    const other = await h.provisioned();
    await h.authorize(other);
    h.google.fail('refresh', { status: 503, times: 100 });
    const failed = await h.send(other);
    h.google.state.failures.delete('refresh');
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({
      stage: 'auth',
      mode: 'gmail',
      detail: 'No Gmail access token: Google answered 503 to the token refresh',
    });
    for (const t of [tenant, other]) {
      expect((await h.history(t)).filter((e) => e.type === 'ConsentRevoked')).toHaveLength(0);
      expect(await h.view(t)).toMatchObject({ mode: 'gmail', gmail: { status: 'authorized' } });
    }
    expect((await h.send(other)).body).toMatchObject({ mode: 'gmail', fallback: null });
  });

  it('retries 5xx and 429 of the Gmail API and sends once', async () => {
    const tenant = await h.provisioned();
    await h.authorize(tenant);
    const count = h.google.sent.length;
    h.google.fail('gmail', { status: 500, times: 1 });
    h.google.fail('gmail', { status: 429, times: 1, retryAfterSeconds: 0 });
    const res = await h.send(tenant, { subject: 'Retried' });
    expect(res.status).toBe(200);
    expect(h.google.sent.length - count).toBe(1);
    expect(h.google.sent.at(-1)!.subject).toBe('Retried');
  });
});

describe('the scheduled consent check', () => {
  let h: GmailHarness;
  beforeAll(async () => {
    h = await GmailHarness.start();
  });
  afterAll(() => h.close());

  it('records a revocation at Google before any message fails, and takes a transient failure for none', async () => {
    const kept = await h.provisioned();
    const revoked = await h.provisioned();
    const flaky = await h.provisioned();
    h.google.nextConsent({ kind: 'approve', account: 'kept@acme-mail.test' });
    await h.authorize(kept);
    h.google.nextConsent({ kind: 'approve', account: 'gone@acme-mail.test' });
    await h.authorize(revoked);
    h.google.nextConsent({ kind: 'approve', account: 'flaky@acme-mail.test' });
    await h.authorize(flaky);
    h.google.revokeAccess('gone@acme-mail.test');
    const check = h.consentCheck;

    const result = await check.runOnce();
    expect(result).toEqual({ checked: 3, revoked: 1, failed: 0 });
    expect(await h.view(revoked)).toMatchObject({
      mode: 'default',
      gmail: { status: 'revoked', revokedReason: 'revoked_at_google' },
    });
    const recorded = (await h.history(revoked)).filter((e) => e.type === 'ConsentRevoked');
    expect(recorded).toHaveLength(1);
    // The check's run id (the harness's correlation id) caused it; the service is its author.
    expect(recorded[0]).toMatchObject({ actor: 'system', detectedBy: 'consent-check', causationId: 'test' });
    const dashboard = await waitFor(async () => {
      const res = await h.svc.support.get('/v1/dashboard/tenants?status=needs_attention&limit=500');
      return res.body.tenants?.find((t: { tenantId: string }) => t.tenantId === revoked);
    });
    expect(dashboard).toMatchObject({ attention: 'gmail_revoked', mode: 'default' });

    h.google.fail('refresh', { status: 503, times: 100 });
    expect(await check.runOnce()).toEqual({ checked: 2, revoked: 0, failed: 2 });
    h.google.state.failures.delete('refresh');
    for (const t of [kept, flaky])
      expect(await h.view(t)).toMatchObject({ mode: 'gmail', gmail: { status: 'authorized' } });
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}
