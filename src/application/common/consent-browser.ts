import { createHash, randomBytes } from 'node:crypto';

/**
 * Binding a consent round trip to the browser that started it (RFC 9700 §4.7): POST
 * …/authorizations answers a one-time hand-off link on this service; the browser that opens it
 * first is given a secret in a cookie, and the state it is sent to the provider with keeps only
 * the secret's hash. A consent URL forwarded or leaked to anyone else comes back without it.
 */

/** What the hand-off link answers: the provider's consent URL and the browser's cookie, or where to go instead. */
export type ConsentOpened =
  | { ok: true; authorizationUrl: string; state: string; browserSecret: string; expiresAt: Date }
  /** A hand-off link that is unknown, expired or already used; `location` only when it is authentic. */
  | { ok: false; location: string | null };

/** The hand-off link, next to the redirect URI (so it sits behind the same proxy path). */
export function handoffUrl(redirectUri: string, handoff: string): string {
  const url = new URL('authorize', redirectUri);
  url.search = '';
  url.searchParams.set('handoff', handoff);
  return url.toString();
}

export function newBrowserSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What a state keeps of the browser: a hash of its cookie secret, never the secret. */
export function browserBindingOf(secret: string): string {
  return createHash('sha256').update(`oauth-browser/v1\n${secret}`).digest('base64url');
}

/**
 * Where a browser with a refused hand-off link goes: its returnUrl with `?<provider>=error&
 * reason=state_invalid` when the link was authentic, else the main application's first origin.
 */
export function handoffRefusedAt(provider: 'gmail' | 'microsoft', returnUrl: string | null, origins: string[]) {
  const target = returnUrl ?? (origins[0] ? `${origins[0]}/` : null);
  if (target === null) return null;
  const url = new URL(target);
  url.searchParams.delete(provider);
  url.searchParams.delete('reason');
  url.searchParams.set(provider, 'error');
  url.searchParams.set('reason', 'state_invalid');
  return url.toString();
}
