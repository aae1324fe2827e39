import type { Request } from 'express';
import { type ConsentReturn, type GoogleGrant } from '../../../src/application/ports/google-oauth.port';
import { type OAuthStateBinding } from '../../../src/application/ports/oauth-state.port';
import { MasterKeyRing } from '../../../src/infrastructure/crypto/key-ring';
import { InMemoryEventStore } from '../../../src/infrastructure/event-store/in-memory.event-store';
import { type GoogleConsentOptions, PassportGoogleConsent } from '../../../src/infrastructure/google/google-consent';
import { GoogleOAuthAdapter, type GoogleCallOptions } from '../../../src/infrastructure/google/google-oauth.adapter';
import { SignedOAuthStateStore } from '../../../src/infrastructure/oauth-state/signed-oauth-state.store';
import { type GoogleStandIn } from '../../support/google/google-stand-in';

/** Never contacted: the tests read the stand-in's redirect instead of following it. */
export const REDIRECT_URI = 'http://127.0.0.1:9/v1/oauth/google/callback';

export const BINDING: OAuthStateBinding = {
  tenantId: 't-1',
  returnUrl: 'https://app.example/settings/mail',
  actor: 'agent@acme.test',
  correlationId: 'req-1',
};

const googleConfig = (google: GoogleStandIn) => {
  const env = google.env();
  return {
    clientId: env.GOOGLE_CLIENT_ID,
    clientSecret: env.GOOGLE_CLIENT_SECRET,
    redirectUri: env.GOOGLE_REDIRECT_URI,
  };
};

export function adapterFor(
  google: GoogleStandIn,
  options: GoogleCallOptions = { retryDelayMs: 10 },
): GoogleOAuthAdapter {
  const env = google.env();
  return new GoogleOAuthAdapter(
    googleConfig(google),
    { tokenUrl: env.GOOGLE_TOKEN_URL, revokeUrl: env.GOOGLE_REVOKE_URL },
    options,
  );
}

/** The passport consent over a signed state store of its own (in memory, one master key). */
export function consentFor(google: GoogleStandIn, options: GoogleConsentOptions = {}): PassportGoogleConsent {
  const env = google.env();
  const ring = new MasterKeyRing(new Map([['k1', Buffer.alloc(32, 7)]]), 'k1');
  const states = new SignedOAuthStateStore(new InMemoryEventStore(), ring, { now: () => new Date() });
  return new PassportGoogleConsent(
    googleConfig(google),
    { authUrl: env.GOOGLE_AUTH_URL, tokenUrl: env.GOOGLE_TOKEN_URL, userinfoUrl: env.GOOGLE_USERINFO_URL },
    states,
    options,
  );
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

/** Our redirect URI as the browser opens it, with exactly these query parameters. */
export function callbackRequest(params: URLSearchParams): Request {
  return { method: 'GET', url: `/v1/oauth/google/callback?${params}`, query: Object.fromEntries(params) } as Request;
}

/** A full consent round trip through the passport strategy. */
export async function roundTrip(google: GoogleStandIn, gate = consentFor(google)): Promise<ConsentReturn> {
  const { authorizationUrl } = await gate.begin(BINDING);
  return gate.complete(callbackRequest(await consent(authorizationUrl)));
}

/** A full consent: an authorization code exchanged for a grant. */
export async function authorizedGrant(google: GoogleStandIn): Promise<GoogleGrant> {
  const returned = await roundTrip(google);
  if (returned.outcome !== 'granted') throw new Error(`the consent ended ${returned.outcome}`);
  return returned.grant;
}
