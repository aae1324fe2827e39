import { createHash, randomBytes } from 'node:crypto';
import { GoogleOAuthAdapter, type GoogleCallOptions } from '../../../src/infrastructure/google/google-oauth.adapter';
import { type GoogleStandIn } from '../../support/google/google-stand-in';

/** Never contacted: the tests read the stand-in's redirect instead of following it. */
export const REDIRECT_URI = 'http://127.0.0.1:9/v1/oauth/google/callback';

export function adapterFor(
  google: GoogleStandIn,
  options: GoogleCallOptions = { retryDelayMs: 10 },
): GoogleOAuthAdapter {
  const env = google.env();
  return new GoogleOAuthAdapter(
    { clientId: env.GOOGLE_CLIENT_ID, clientSecret: env.GOOGLE_CLIENT_SECRET, redirectUri: env.GOOGLE_REDIRECT_URI },
    {
      authUrl: env.GOOGLE_AUTH_URL,
      tokenUrl: env.GOOGLE_TOKEN_URL,
      revokeUrl: env.GOOGLE_REVOKE_URL,
      userinfoUrl: env.GOOGLE_USERINFO_URL,
    },
    options,
  );
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Plays the browser on the consent screen: follows the consent URL to the stand-in and reads where it sends the user. */
export async function consent(authorizationUrl: string): Promise<URLSearchParams> {
  const res = await fetch(authorizationUrl, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location)
    throw new Error(`the consent screen answered ${res.status}: ${await res.text()}`);
  expect(location.startsWith(REDIRECT_URI)).toBe(true);
  return new URL(location).searchParams;
}

/** A full consent: an authorization code exchanged for a grant. */
export async function authorizedGrant(google: GoogleStandIn, adapter = adapterFor(google)) {
  const { verifier, challenge } = pkce();
  const back = await consent(adapter.authorizationUrl({ state: 's', codeChallenge: challenge }));
  return adapter.exchangeCode(back.get('code')!, verifier);
}
