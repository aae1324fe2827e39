import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { MicrosoftHarness } from '../support/microsoft/microsoft-harness';

const outbox = (h: MicrosoftHarness) => {
  try {
    return readdirSync(join(h.svc.dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
};

describe('sending in Microsoft 365 mode through the stand-in Graph', () => {
  let h: MicrosoftHarness;
  beforeAll(async () => {
    h = await MicrosoftHarness.start();
  });
  afterAll(() => h.close());
  afterEach(() => {
    h.microsoft.slow('token', 0);
    h.microsoft.slow('sendMail', 0);
  });

  it('a send arrives at Graph sendMail from the account, with cc, bcc, reply-to and attachments intact', async () => {
    const tenant = await h.provisioned();
    expect(await h.authorize(tenant)).toEqual({ microsoft: 'authorized' });
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from([0, 1, 2, 255, 254, 10, 13])]);
    const res = await h.send(tenant, {
      to: ['customer@example.org'],
      cc: ['boss@example.org'],
      bcc: ['archive@example.org'],
      replyTo: 'helpdesk@contoso-mail.test',
      subject: 'Re: ticket #17 – Grüße',
      text: 'Your printer is fixed.',
      attachments: [
        { filename: 'invoice.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') },
        { filename: 'notes.txt', contentType: 'text/plain', contentBase64: Buffer.from('ok\n').toString('base64') },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'microsoft', from: 'owner@contoso-mail.test', fallback: null });
    const sent = h.microsoft.sent.at(-1)!;
    expect(sent.account).toBe('owner@contoso-mail.test');
    expect(sent.contentType).toMatch(/^text\/plain/);
    const parsed = await simpleParser(sent.raw);
    expect(parsed.messageId).toBe(res.body.messageId);
    expect(parsed.from?.text).toBe('owner@contoso-mail.test');
    expect(parsed.subject).toBe('Re: ticket #17 – Grüße');
    expect(parsed.text?.trim()).toBe('Your printer is fixed.');
    const addresses = (a: unknown) =>
      (Array.isArray(a) ? a : [a]).flatMap((x: { value: { address: string }[] }) => x.value.map((v) => v.address));
    expect(addresses(parsed.to)).toEqual(['customer@example.org']);
    expect(addresses(parsed.cc)).toEqual(['boss@example.org']);
    expect(addresses(parsed.bcc)).toEqual(['archive@example.org']);
    expect(addresses(parsed.replyTo)).toEqual(['helpdesk@contoso-mail.test']);
    expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['invoice.pdf', 'application/pdf'],
      ['notes.txt', 'text/plain'],
    ]);
    expect(parsed.attachments[0].content.equals(pdf)).toBe(true);
  });

  it('carries the display name, In-Reply-To and References to Graph, and answers delivery microsoft', async () => {
    const tenant = await h.provisioned();
    await h.authorize(tenant);
    await h.svc.api.put(`/v1/tenants/${tenant}/mail-config/display-name`, { displayName: 'Contoso Help Desk' });
    const res = await h.send(tenant, {
      inReplyTo: '<question-1@client.example>',
      references: ['<question-1@client.example>'],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'microsoft', delivery: 'microsoft', fromName: 'Contoso Help Desk' });
    const parsed = await simpleParser(h.microsoft.sent.at(-1)!.raw);
    expect(parsed.messageId).toBe(res.body.messageId);
    expect(parsed.from?.value).toEqual([{ name: 'Contoso Help Desk', address: 'owner@contoso-mail.test' }]);
    expect(parsed.inReplyTo).toBe('<question-1@client.example>');
    expect(parsed.references).toBe('<question-1@client.example>');
  });

  it('revoked at the provider during ten concurrent sends: all ten go out through mode 1, one ConsentRevoked', async () => {
    const tenant = await h.provisioned();
    await h.authorize(tenant);
    expect((await h.send(tenant)).body.mode).toBe('microsoft');
    const view = await h.view(tenant);
    h.microsoft.revokeAt('owner@contoso-mail.test', 50173);
    // The token endpoint answers slowly, so all ten are past reading the tenant's mode before one notices.
    h.microsoft.slow('token', 300);
    const before = outbox(h).length;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => h.send(tenant, { subject: `Concurrent ${i}` })),
    );
    for (const res of results) {
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        mode: 'default',
        from: view.default.address,
        fallback: { from: 'microsoft', reason: 'grant_revoked' },
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
      provider: 'microsoft',
      reason: 'revoked_at_provider',
      account: 'owner@contoso-mail.test',
    });
    expect(history.filter((e) => e.type === 'ModeChanged').map((e) => e.data.to)).toEqual(['microsoft', 'default']);
    expect(await h.view(tenant)).toMatchObject({
      mode: 'default',
      microsoft: { status: 'revoked', revokedReason: 'revoked_at_provider' },
    });
  });

  it.each([
    ['503', { status: 503, times: 2 }],
    ['429 with Retry-After', { status: 429, times: 1, retryAfter: 1 }],
  ])('a %s from the token endpoint is retried and revokes nothing', async (_name, failure) => {
    const tenant = await h.provisioned();
    await h.authorize(tenant);
    h.microsoft.fail('token', failure);
    const res = await h.send(tenant);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'microsoft', fallback: null });
    expect((await h.history(tenant)).filter((e) => e.type === 'ConsentRevoked')).toHaveLength(0);
    expect(await h.view(tenant)).toMatchObject({ mode: 'microsoft', microsoft: { status: 'authorized' } });
  });

  it('a throttled Graph (429 with Retry-After) is retried within the send and sends once', async () => {
    const tenant = await h.provisioned();
    await h.authorize(tenant);
    const before = h.microsoft.sent.length;
    h.microsoft.fail('sendMail', { status: 429, times: 2, retryAfter: 1 });
    const res = await h.send(tenant, { subject: 'Throttled' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'microsoft', fallback: null });
    expect(h.microsoft.sent.length - before).toBe(1);
    expect((await h.history(tenant)).filter((e) => e.type === 'ConsentRevoked')).toHaveLength(0);
  });
});
