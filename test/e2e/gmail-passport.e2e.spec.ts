import { GmailHarness } from '../support/google/gmail-harness';

/** The consent round trip runs through passport-google-oauth20: what Google sees proves it. */
describe('the Google consent through passport-google-oauth20, seen from the stand-in Google', () => {
  let h: GmailHarness;
  beforeAll(async () => {
    h = await GmailHarness.start();
  });
  afterAll(() => h.close());

  it('exchanges the code with node-oauth’s request (passport’s strategy), not google-auth-library’s', async () => {
    const tenant = await h.provisioned();
    const before = h.google.tokenRequests.length;
    expect(await h.authorize(tenant)).toEqual({ gmail: 'authorized' });
    expect(h.google.tokenRequests.slice(before)).toEqual([
      {
        grantType: 'authorization_code',
        codeVerifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        userAgent: 'Node-oauth',
        fields: ['grant_type', 'redirect_uri', 'code_verifier', 'client_id', 'client_secret', 'code'],
        at: expect.any(Number),
      },
    ]);
    // The refresh after it is google-auth-library's (gaxios), which keeps refresh and revocation.
    await h.consentCheck.runOnce();
    const refresh = h.google.tokenRequests.at(-1)!;
    expect(refresh.grantType).toBe('refresh_token');
    expect(refresh.userAgent).not.toBe('Node-oauth');
  });

  it('ends a stalled token endpoint in exchange_failed and records nothing', async () => {
    const tenant = await h.provisioned();
    h.google.fail('token', { stall: true });
    expect(await h.authorize(tenant)).toEqual({ gmail: 'error', reason: 'exchange_failed' });
    expect((await h.history(tenant)).map((e) => e.type)).toEqual(['MailConfigProvisioned']);
    expect(h.svc.logs.join('\n')).toContain('Google’s token exchange failed: timed out');
  }, 10_000);

  it('never receives an access token, refresh token, code or client secret in a URL', async () => {
    const tenant = await h.provisioned();
    expect(await h.authorize(tenant)).toEqual({ gmail: 'authorized' });
    expect((await h.send(tenant)).body.mode).toBe('gmail');
    await h.consentCheck.runOnce();
    const withdrawn = await h.svc.api.delete(`/v1/tenants/${tenant}/mail-config/gmail/authorization`);
    expect(withdrawn.body.gmail.googleRevocation).toEqual({ ok: true, message: null });
    h.google.nextConsent({ kind: 'deny' });
    expect(await h.authorize(tenant)).toEqual({ gmail: 'denied' });

    const urls = h.google.requests.map((r) => r.url);
    // Every kind of request was made: consent screen, exchange, userinfo, refresh, send, revoke.
    for (const path of ['/o/oauth2/v2/auth', '/token', '/v1/userinfo', '/gmail/v1/users/me/messages/send', '/revoke'])
      expect(urls.some((u) => u.startsWith(path))).toBe(true);
    expect(h.google.state.accessTokens.size).toBeGreaterThanOrEqual(3);
    for (const secret of h.google.issuedSecrets()) for (const url of urls) expect(url).not.toContain(secret);
    // The userinfo request carried the access token where it belongs.
    const userinfo = h.google.requests.filter((r) => r.url.startsWith('/v1/userinfo'));
    expect(userinfo.every((r) => /^Bearer ya29\./.test(r.authorization ?? ''))).toBe(true);
  });
});
