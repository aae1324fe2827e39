import { GoogleUnavailableError, GrantRevokedError } from '../../../src/application/ports/google-oauth.port';
import { GoogleStandIn } from '../../support/google/google-stand-in';
import { adapterFor, authorizedGrant, REDIRECT_URI } from './google-fixtures';

describe('Google token adapter (google-auth-library: refresh, revoke) against the stand-in Google', () => {
  let google: GoogleStandIn;
  beforeEach(async () => {
    google = await GoogleStandIn.start({ redirectUri: REDIRECT_URI });
  });
  afterEach(() => google.close());

  it('refreshes an access token, and answers GrantRevokedError once the user removed the app', async () => {
    const adapter = adapterFor(google);
    const grant = await authorizedGrant(google);
    const fresh = await adapter.refreshAccessToken(grant.refreshToken!);
    expect(fresh.token).toMatch(/^ya29\./);
    expect(fresh.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect(google.revokeAccess()).toBe(1);
    await expect(adapter.refreshAccessToken(grant.refreshToken!)).rejects.toBeInstanceOf(GrantRevokedError);
  });

  it('retries a transient 503 of the token endpoint and never takes it for a revocation', async () => {
    const adapter = adapterFor(google);
    const grant = await authorizedGrant(google);
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
    const grant = await authorizedGrant(google);
    google.fail('refresh', { status: undefined, delayMs: 600, times: 2 });
    const started = Date.now();
    const error = await adapter.refreshAccessToken(grant.refreshToken!).catch((e) => e);
    expect(error).toBeInstanceOf(GoogleUnavailableError);
    expect(error.message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('revokes with the token in the form body; an unknown token counts as revoked; a failure is reported', async () => {
    const adapter = adapterFor(google);
    const grant = await authorizedGrant(google);
    google.fail('revoke', { status: 500, times: 3 });
    await expect(adapter.revoke(grant.refreshToken!)).rejects.toBeInstanceOf(GoogleUnavailableError);
    await adapter.revoke(grant.refreshToken!);
    expect(google.revocations.at(-1)).toEqual({ token: grant.refreshToken, in: 'body' });
    await expect(adapter.refreshAccessToken(grant.refreshToken!)).rejects.toBeInstanceOf(GrantRevokedError);
    await expect(adapter.revoke(grant.refreshToken!)).resolves.toBeUndefined();
  });

  it('never puts a token, code or secret in an error message', async () => {
    const adapter = adapterFor(google, { timeoutMs: 100, retries: 0 });
    const grant = await authorizedGrant(google);
    const errors: Error[] = [];
    google.revokeAccess();
    errors.push(await adapter.refreshAccessToken(grant.refreshToken!).catch((e) => e));
    google.fail('revoke', { status: 400, times: 1 });
    errors.push(await adapter.revoke(grant.refreshToken!).catch((e) => e));
    google.fail('token', { status: undefined, delayMs: 400 });
    errors.push(await adapter.refreshAccessToken(grant.refreshToken!).catch((e) => e));
    const text = errors.map((e) => `${e.name}: ${e.message} ${JSON.stringify(e)}`).join('\n');
    expect(errors.every((e) => e instanceof Error)).toBe(true);
    for (const secret of google.issuedSecrets()) expect(text).not.toContain(secret);
  });
});
