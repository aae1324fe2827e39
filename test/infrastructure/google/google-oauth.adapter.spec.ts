import {
  GMAIL_REQUESTED_SCOPES,
  GoogleRejectedError,
  GoogleUnavailableError,
  GrantRevokedError,
} from '../../../src/application/ports/google-oauth.port';
import { GoogleStandIn } from '../../support/google/google-stand-in';
import { adapterFor, authorizedGrant, consent, pkce, REDIRECT_URI } from './google-fixtures';

const GMAIL_SEND = 'https://www.googleapis.com/auth/gmail.send';

describe('Google OAuth adapter (google-auth-library) against the stand-in Google', () => {
  let google: GoogleStandIn;
  beforeEach(async () => {
    google = await GoogleStandIn.start({ redirectUri: REDIRECT_URI });
  });
  afterEach(() => google.close());

  it('asks for exactly openid, email and gmail.send, offline, with a consent prompt, PKCE S256 and the state', () => {
    const url = new URL(adapterFor(google).authorizationUrl({ state: 'the-state', codeChallenge: 'c'.repeat(43) }));
    expect(`${url.origin}${url.pathname}`).toBe(google.env().GOOGLE_AUTH_URL);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: google.client.clientId,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid email https://www.googleapis.com/auth/gmail.send',
      access_type: 'offline',
      prompt: 'consent',
      state: 'the-state',
      code_challenge: 'c'.repeat(43),
      code_challenge_method: 'S256',
    });
    expect(GMAIL_REQUESTED_SCOPES).toEqual(['openid', 'email', GMAIL_SEND]);
  });

  it('exchanges the code with the PKCE verifier and reads the account from userinfo', async () => {
    const grant = await authorizedGrant(google);
    expect(grant).toEqual({
      account: 'owner@acme-mail.test',
      grantedScopes: ['openid', 'email', GMAIL_SEND],
      refreshToken: expect.stringMatching(/^1\/\/0g/),
      accessToken: { token: expect.stringMatching(/^ya29\./), expiresAt: expect.any(Date) },
    });
    expect(grant.accessToken.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3500_000);
  });

  it('fails the exchange with a wrong verifier or a reused code, without calling it a revocation', async () => {
    const adapter = adapterFor(google);
    const { verifier, challenge } = pkce();
    const back = await consent(adapter.authorizationUrl({ state: 's', codeChallenge: challenge }));
    const wrong = await adapter.exchangeCode(back.get('code')!, pkce().verifier).catch((e) => e);
    expect(wrong).toBeInstanceOf(GoogleRejectedError);
    expect(wrong).toMatchObject({ code: 'invalid_grant' });
    expect(wrong).not.toBeInstanceOf(GrantRevokedError);
    await expect(adapter.exchangeCode(back.get('code')!, verifier)).resolves.toMatchObject({
      account: 'owner@acme-mail.test',
    });
    const reused = await adapter.exchangeCode(back.get('code')!, verifier).catch((e) => e);
    expect(reused).toBeInstanceOf(GoogleRejectedError);
    expect(reused).not.toBeInstanceOf(GrantRevokedError);
  });

  it('reports what the user actually granted, and a missing refresh token as null', async () => {
    google.nextConsent({ kind: 'approve', untick: [GMAIL_SEND] });
    expect((await authorizedGrant(google)).grantedScopes).toEqual(['openid', 'email']);
    google.nextConsent({ kind: 'approve', account: 'Second@Acme-Mail.test', withoutRefreshToken: true });
    const second = await authorizedGrant(google);
    expect(second.refreshToken).toBeNull();
    expect(second.account).toBe('second@acme-mail.test');
  });

  it('hands back the user’s refusal as access_denied to the redirect URI', async () => {
    google.nextConsent({ kind: 'deny' });
    const back = await consent(adapterFor(google).authorizationUrl({ state: 'st', codeChallenge: pkce().challenge }));
    expect(Object.fromEntries(back)).toEqual({ error: 'access_denied', state: 'st' });
  });

  it('refreshes an access token, and answers GrantRevokedError once the user removed the app', async () => {
    const adapter = adapterFor(google);
    const grant = await authorizedGrant(google, adapter);
    const fresh = await adapter.refreshAccessToken(grant.refreshToken!);
    expect(fresh.token).not.toBe(grant.accessToken.token);
    expect(google.revokeAccess()).toBe(1);
    await expect(adapter.refreshAccessToken(grant.refreshToken!)).rejects.toBeInstanceOf(GrantRevokedError);
  });

  it('retries a transient 503 of the token endpoint and never takes it for a revocation', async () => {
    const adapter = adapterFor(google);
    const grant = await authorizedGrant(google, adapter);
    google.fail('refresh', { status: 503, times: 2 });
    await expect(adapter.refreshAccessToken(grant.refreshToken!)).resolves.toMatchObject({ token: expect.any(String) });
    expect(google.refreshRequests()).toBe(3);
    google.fail('refresh', { status: 503, times: 3 });
    const error = await adapter.refreshAccessToken(grant.refreshToken!).catch((e) => e);
    expect(error).toBeInstanceOf(GoogleUnavailableError);
    expect(error.message).toBe('Google answered 503 to the token refresh');
  });

  it('gives up on a token endpoint that does not answer in time', async () => {
    const adapter = adapterFor(google, { timeoutMs: 150, retries: 1, retryDelayMs: 10 });
    const grant = await authorizedGrant(google, adapter);
    google.fail('refresh', { status: undefined, delayMs: 600, times: 2 });
    const started = Date.now();
    const error = await adapter.refreshAccessToken(grant.refreshToken!).catch((e) => e);
    expect(error).toBeInstanceOf(GoogleUnavailableError);
    expect(error.message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('revokes with the token in the form body; an unknown token counts as revoked; a failure is reported', async () => {
    const adapter = adapterFor(google);
    const grant = await authorizedGrant(google, adapter);
    google.fail('revoke', { status: 500, times: 3 });
    await expect(adapter.revoke(grant.refreshToken!)).rejects.toBeInstanceOf(GoogleUnavailableError);
    await adapter.revoke(grant.refreshToken!);
    expect(google.revocations.at(-1)).toEqual({ token: grant.refreshToken, in: 'body' });
    await expect(adapter.refreshAccessToken(grant.refreshToken!)).rejects.toBeInstanceOf(GrantRevokedError);
    await expect(adapter.revoke(grant.refreshToken!)).resolves.toBeUndefined();
  });

  it('never puts a token, code or secret in an error message', async () => {
    const adapter = adapterFor(google, { timeoutMs: 100, retries: 0 });
    const grant = await authorizedGrant(google, adapter);
    const errors: Error[] = [];
    google.revokeAccess();
    errors.push(await adapter.refreshAccessToken(grant.refreshToken!).catch((e) => e));
    google.fail('revoke', { status: 400, times: 1 });
    errors.push(await adapter.revoke(grant.refreshToken!).catch((e) => e));
    errors.push(await adapter.exchangeCode('4/0Aunknown-code', pkce().verifier).catch((e) => e));
    google.fail('token', { status: undefined, delayMs: 400 });
    errors.push(await adapter.refreshAccessToken(grant.refreshToken!).catch((e) => e));
    const text = errors.map((e) => `${e.name}: ${e.message} ${JSON.stringify(e)}`).join('\n');
    expect(errors.every((e) => e instanceof Error)).toBe(true);
    for (const secret of [...google.issuedSecrets(), '4/0Aunknown-code']) expect(text).not.toContain(secret);
  });
});
