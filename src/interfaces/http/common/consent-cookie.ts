import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { type ConsentOpened } from '../../../application/common/consent-browser';
import { problem, ProblemException } from './problem';

/**
 * The cookie that binds a consent round trip to the browser it was handed to (RFC 9700 §4.7):
 * HttpOnly, SameSite=Lax (the provider's redirect back is a top-level GET), scoped to the
 * redirect URI's directory (the hand-off link and the callback), gone when the state expires.
 * One per state, so two consents in one browser do not overwrite each other's.
 */
const PREFIX = 'mcs_consent_';
const SECRET = /^[A-Za-z0-9_-]{43}$/;

function nameFor(state: string): string {
  return `${PREFIX}${createHash('sha256').update(state).digest('hex').slice(0, 16)}`;
}

function scopeOf(redirectUri: string): { path: string; secure: boolean } {
  const url = new URL(redirectUri);
  return { path: url.pathname.slice(0, url.pathname.lastIndexOf('/')) || '/', secure: url.protocol === 'https:' };
}

const invalidLink = () =>
  new ProblemException(
    problem(
      400,
      'oauth-state-invalid',
      'Invalid OAuth state',
      'This link is not valid (unknown, expired or already used)',
    ),
  );

/** The hand-off link's answer: the cookie and a redirect to the provider, or where a refused link goes. */
export function sendToProvider(res: Response, opened: ConsentOpened, redirectUri: string): void {
  // The hand-off and the provider's URL must not travel on as a Referer, nor be kept by a cache.
  res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
  if (!opened.ok) {
    if (opened.location === null) throw invalidLink();
    res.redirect(302, opened.location);
    return;
  }
  res.cookie(nameFor(opened.state), opened.browserSecret, {
    ...scopeOf(redirectUri),
    httpOnly: true,
    sameSite: 'lax',
    maxAge: Math.max(0, opened.expiresAt.getTime() - Date.now()),
  });
  res.redirect(302, opened.authorizationUrl);
}

/** The secret the browser brought back for this state, or null (never decoded: a secret is base64url). */
export function browserSecretFor(req: Request, state: unknown): string | null {
  if (typeof state !== 'string' || state.length === 0 || state.length > 512) return null;
  const name = `${nameFor(state)}=`;
  const found = (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(name));
  const value = found?.slice(name.length) ?? '';
  return SECRET.test(value) ? value : null;
}

/** The callback spends (or refuses) the state: its cookie is of no further use. */
export function forgetBrowserSecret(res: Response, state: unknown, redirectUri: string | undefined): void {
  if (typeof state !== 'string' || state.length === 0 || state.length > 512 || !redirectUri) return;
  res.clearCookie(nameFor(state), { ...scopeOf(redirectUri), httpOnly: true, sameSite: 'lax' });
}
