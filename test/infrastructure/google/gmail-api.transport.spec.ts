import { type GmailGrantRef } from '../../../src/application/ports/gmail-transport.port';
import { GoogleUnavailableError, GrantRevokedError } from '../../../src/application/ports/google-oauth.port';
import { MailTransportError, type OutgoingMessage } from '../../../src/application/ports/mail-transport.port';
import { AccessTokenCache } from '../../../src/infrastructure/google/access-token-cache';
import { GmailApiTransport, type GmailSendOptions } from '../../../src/infrastructure/google/gmail-api.transport';
import { GoogleStandIn } from '../../support/google/google-stand-in';
import { adapterFor, authorizedGrant, REDIRECT_URI } from './google-fixtures';

const message = (over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  messageId: `<${Math.random().toString(36).slice(2)}@acme-mail.test>`,
  from: 'owner@acme-mail.test',
  to: ['customer@example.org'],
  cc: [],
  bcc: [],
  subject: 'Your ticket #42',
  text: 'We fixed it.\nRegards',
  attachments: [],
  ...over,
});

describe('Gmail API transport and access-token cache against the stand-in Google', () => {
  let google: GoogleStandIn;
  let grant: GmailGrantRef;
  let refreshTokenReads: number;
  let refreshes: string[];
  let cache: AccessTokenCache;
  const transport = (options: GmailSendOptions = {}) =>
    new GmailApiTransport(cache, google.env().GMAIL_API_URL, { baseDelayMs: 5, maxDelayMs: 20, ...options });

  beforeEach(async () => {
    google = await GoogleStandIn.start({ redirectUri: REDIRECT_URI });
    const adapter = adapterFor(google, { retries: 0, timeoutMs: 2000 });
    const { refreshToken } = await authorizedGrant(google);
    refreshTokenReads = 0;
    refreshes = [];
    grant = {
      tenantId: 't-1',
      key: 't-1:grant-1',
      authorizedAt: '2026-11-26T10:00:00.000Z',
      refreshToken: async () => {
        refreshTokenReads++;
        return refreshToken!;
      },
    };
    cache = new AccessTokenCache(adapter, {
      tokenRefreshed: (o) => refreshes.push(o),
      revocationDetected: () => undefined,
    });
  });
  afterEach(() => google.close());

  it('sends the MailComposer message through users.messages.send as the account', async () => {
    const sent = await transport().send(
      grant,
      message({
        cc: ['cc@example.org'],
        bcc: ['hidden@example.org'],
        replyTo: 'help@acme.test',
        html: '<p>We fixed it.</p>',
      }),
    );
    expect(sent.accepted).toEqual(['customer@example.org', 'cc@example.org', 'hidden@example.org']);
    expect(google.sent).toHaveLength(1);
    const [got] = google.sent;
    expect(got).toMatchObject({
      account: 'owner@acme-mail.test',
      from: 'owner@acme-mail.test',
      to: ['customer@example.org'],
      cc: ['cc@example.org'],
      // Gmail takes Bcc recipients from the header (and strips it on delivery).
      bcc: ['hidden@example.org'],
      subject: 'Your ticket #42',
      text: 'We fixed it.\nRegards',
    });
    expect(got.parsed.messageId).toBe(sent.messageId);
    expect(got.parsed.html).toContain('<p>We fixed it.</p>');
  });

  it('refreshes once for ten concurrent sends and reuses the token until shortly before expiry', async () => {
    await Promise.all(Array.from({ length: 10 }, () => transport().send(grant, message())));
    expect(google.sent).toHaveLength(10);
    expect(google.refreshRequests()).toBe(1);
    expect(refreshTokenReads).toBe(1);
    await transport().send(grant, message());
    expect(google.refreshRequests()).toBe(1);
    // Tokens that live less than the safety margin are refreshed on every use.
    google.accessTokenTtlSeconds = 60;
    cache.forget(grant.key);
    await transport().send(grant, message());
    await transport().send(grant, message());
    expect(google.refreshRequests()).toBe(3);
    expect(refreshes).toEqual(['ok', 'ok', 'ok']);
  });

  it('answers GrantRevokedError to ten concurrent sends after the user removed the app, with one token request', async () => {
    await transport().send(grant, message());
    google.revokeAccess();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        transport()
          .send(grant, message())
          .catch((e) => e),
      ),
    );
    expect(results.every((r) => r instanceof GrantRevokedError)).toBe(true);
    expect(google.refreshRequests()).toBe(2);
    expect(google.sent).toHaveLength(1);
    expect(refreshes).toEqual(['ok', 'revoked']);
  });

  it('retries 5xx and 429 answers with backoff, and sends once', async () => {
    google.fail('gmail', { status: 503, times: 2 });
    google.fail('gmail', { status: 429, times: 1, retryAfterSeconds: 0 });
    await transport().send(grant, message());
    expect(google.sent).toHaveLength(1);
  });

  it('retries a transient failure of the token endpoint, never as a revocation', async () => {
    google.fail('refresh', { status: 503, times: 2 });
    await transport().send(grant, message());
    expect(google.sent).toHaveLength(1);
    expect(refreshes).toEqual(['failed', 'failed', 'ok']);
    google.fail('refresh', { status: 503, times: 10 });
    cache.forget(grant.key);
    const error = await transport({ attempts: 3 })
      .send(grant, message())
      .catch((e) => e);
    expect(error).toBeInstanceOf(MailTransportError);
    expect(error).not.toBeInstanceOf(GrantRevokedError);
    expect(error).toMatchObject({
      stage: 'auth',
      message: 'No Gmail access token: Google answered 503 to the token refresh',
    });
  });

  it('gives up after its tries with a secret-free error naming the stage', async () => {
    google.fail('gmail', { status: 500, times: 10 });
    const error = await transport({ attempts: 3 })
      .send(grant, message())
      .catch((e) => e);
    expect(error).toBeInstanceOf(MailTransportError);
    expect(error).toMatchObject({
      stage: 'send',
      message: 'The Gmail API refused the message (HTTP 500, backendError)',
      uncertain: true,
    });
    expect(google.sent).toHaveLength(0);
    const text = `${error.message} ${JSON.stringify(error)}`;
    for (const secret of google.issuedSecrets()) expect(text).not.toContain(secret);
  });

  it('times out a Gmail API that does not answer, and retries', async () => {
    google.fail('gmail', { status: undefined, delayMs: 500, times: 1 });
    await transport({ timeoutMs: 150 }).send(grant, message());
    // The slow first request went through after the client gave up on it: why a timeout is "uncertain".
    await new Promise((r) => setTimeout(r, 500));
    expect(google.sent.length).toBeGreaterThanOrEqual(1);
    google.fail('gmail', { status: undefined, delayMs: 400, times: 2 });
    const error = await transport({ timeoutMs: 100, attempts: 2 })
      .send(grant, message())
      .catch((e) => e);
    expect(error).toMatchObject({
      stage: 'connect',
      message: 'The Gmail API did not answer: timed out',
      uncertain: true,
    });
  });

  it('refuses header injection before anything leaves', async () => {
    const error = await transport()
      .send(grant, message({ subject: 'Hi\r\nBcc: victim@example.org' }))
      .catch((e) => e);
    expect(error).toMatchObject({ stage: 'policy' });
    expect(google.sent).toHaveLength(0);
  });

  it('refreshNow asks Google even with a cached token, and reports revocation', async () => {
    await transport().send(grant, message());
    await transport().refreshNow(grant);
    expect(google.refreshRequests()).toBe(2);
    google.revokeAccess();
    await expect(transport().refreshNow(grant)).rejects.toBeInstanceOf(GrantRevokedError);
    google.fail('refresh', { status: 503 });
    await expect(transport().refreshNow(grant)).rejects.toBeInstanceOf(GoogleUnavailableError);
  });
});
