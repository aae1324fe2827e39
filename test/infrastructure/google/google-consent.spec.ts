import { createHash } from 'node:crypto';
import { GMAIL_REQUESTED_SCOPES } from '../../../src/application/ports/google-oauth.port';
import { GMAIL_SEND } from '../../support/google/google-state';
import { GoogleStandIn } from '../../support/google/google-stand-in';
import { BINDING, callbackRequest, consent, consentFor, REDIRECT_URI, roundTrip } from './google-fixtures';

describe('the consent round trip through passport-google-oauth20 against the stand-in Google', () => {
  let google: GoogleStandIn;
  beforeEach(async () => {
    google = await GoogleStandIn.start({ redirectUri: REDIRECT_URI });
  });
  afterEach(() => google.close());

  it('asks for exactly openid, email and gmail.send, offline, with a consent prompt, PKCE S256 and a signed state', async () => {
    const started = await consentFor(google).begin(BINDING);
    const url = new URL(started.authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(google.env().GOOGLE_AUTH_URL);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: google.client.clientId,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: `openid email ${GMAIL_SEND}`,
      access_type: 'offline',
      prompt: 'consent',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}\.\d+\.[A-Za-z0-9_-]{43}$/),
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
    });
    expect(GMAIL_REQUESTED_SCOPES).toEqual(['openid', 'email', GMAIL_SEND]);
    expect(started.expiresAt.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    // Built without a request to Google: the redirect was captured, not followed.
    expect(google.requests).toEqual([]);
  });

  it('exchanges the code with passport’s own verifier (node-oauth’s request) and reads the account', async () => {
    const gate = consentFor(google);
    const { authorizationUrl } = await gate.begin(BINDING);
    const challenge = new URL(authorizationUrl).searchParams.get('code_challenge');
    const returned = await gate.complete(callbackRequest(await consent(authorizationUrl)));
    expect(returned).toEqual({
      outcome: 'granted',
      binding: BINDING,
      grant: {
        account: 'owner@acme-mail.test',
        grantedScopes: ['openid', 'email', GMAIL_SEND],
        refreshToken: expect.stringMatching(/^1\/\/0g/),
        accessToken: expect.any(String),
      },
    });
    // node-oauth's form and user agent, not gaxios': the strategy made this request.
    expect(google.tokenRequests).toEqual([
      {
        grantType: 'authorization_code',
        codeVerifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        userAgent: 'Node-oauth',
        fields: ['grant_type', 'redirect_uri', 'code_verifier', 'client_id', 'client_secret', 'code'],
        at: expect.any(Number),
      },
    ]);
    const verifier = google.tokenRequests[0].codeVerifier!;
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(challenge);
    // userinfo with the access token in the Authorization header, never in the URL.
    const userinfo = google.requests.find((r) => r.url.startsWith('/v1/userinfo'))!;
    expect(userinfo).toEqual({
      method: 'GET',
      url: '/v1/userinfo',
      authorization: expect.stringMatching(/^Bearer ya29\./),
    });
    for (const token of google.state.accessTokens.keys())
      expect(google.requests.every((r) => !r.url.includes(token))).toBe(true);
  });

  it('spends the state before anything else: a replayed callback is refused without a second exchange', async () => {
    const gate = consentFor(google);
    const back = await consent((await gate.begin(BINDING)).authorizationUrl);
    expect((await gate.complete(callbackRequest(back))).outcome).toBe('granted');
    expect(await gate.complete(callbackRequest(back))).toEqual({
      outcome: 'state_refused',
      reason: 'replayed',
      returnUrl: BINDING.returnUrl,
    });
    expect(google.tokenRequests).toHaveLength(1);
  });

  it('reports a denial with the binding, and spends the state doing so', async () => {
    const gate = consentFor(google);
    google.nextConsent({ kind: 'deny' });
    const back = await consent((await gate.begin(BINDING)).authorizationUrl);
    expect(back.get('error')).toBe('access_denied');
    expect(await gate.complete(callbackRequest(back))).toEqual({ outcome: 'denied', binding: BINDING });
    expect((await gate.complete(callbackRequest(back))).outcome).toBe('state_refused');
    expect(google.tokenRequests).toHaveLength(0);
  });

  it('refuses a forged state without naming a return URL, and a callback with neither code nor error', async () => {
    const gate = consentFor(google);
    const back = await consent((await gate.begin(BINDING)).authorizationUrl);
    const forged = new URLSearchParams(back);
    forged.set('state', 'garbage');
    expect(await gate.complete(callbackRequest(forged))).toEqual({
      outcome: 'state_refused',
      reason: 'invalid',
      returnUrl: null,
    });
    const bare = new URLSearchParams({ state: back.get('state')! });
    expect(await gate.complete(callbackRequest(bare))).toEqual({
      outcome: 'failed',
      binding: BINDING,
      why: 'Google sent back no code',
    });
    expect(google.tokenRequests).toHaveLength(0);
  });

  it('reports what the user actually granted, a missing refresh token as null, the account lower-cased', async () => {
    google.nextConsent({ kind: 'approve', untick: [GMAIL_SEND] });
    expect(await roundTrip(google)).toMatchObject({ grant: { grantedScopes: ['openid', 'email'] } });
    google.nextConsent({ kind: 'approve', account: 'Second@Acme-Mail.test', withoutRefreshToken: true });
    expect(await roundTrip(google)).toMatchObject({
      grant: { account: 'second@acme-mail.test', refreshToken: null },
    });
  });

  it('ends a refused or failing exchange in failed, naming the stage and Google’s code only', async () => {
    google.fail('token', { status: 400 });
    expect(await roundTrip(google)).toEqual({
      outcome: 'failed',
      binding: BINDING,
      why: 'Google refused the token exchange (internal_failure)',
    });
    google.fail('userinfo', { status: 503 });
    expect(await roundTrip(google)).toMatchObject({ outcome: 'failed', why: expect.stringMatching(/userinfo/) });
  });

  it('gives up on a token endpoint that never answers', async () => {
    google.fail('token', { stall: true });
    expect(await roundTrip(google, consentFor(google, { deadlineMs: 200 }))).toEqual({
      outcome: 'failed',
      binding: BINDING,
      why: 'Google’s token exchange failed: timed out',
    });
  });
});
