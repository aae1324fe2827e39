import type { CookieOptions, Request } from 'express';
import { problem, ProblemException } from './problem';

/** The support dashboard's session cookie: a random session id, never a token. */
export const SUPPORT_COOKIE = 'mcs_support';

/**
 * HttpOnly (page script never reads it), SameSite=Strict (other sites never send it), Path=/
 * (the page and its API), and Secure unless the service is reached over plain http — judged by
 * PUBLIC_URL, since behind a TLS-terminating proxy the request itself arrives as http.
 */
export function supportCookieOptions(publicUrl: string, maxAgeMs?: number): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    secure: !publicUrl.startsWith('http:'),
    path: '/',
    ...(maxAgeMs === undefined ? {} : { maxAge: maxAgeMs }),
  };
}

/** The session id a request's cookie carries, or null (none, or a malformed %-escape: no credential, not a 500). */
export function supportSessionId(req: Request): string | null {
  const cookie = req.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${SUPPORT_COOKIE}=`));
  if (!cookie) return null;
  try {
    const id = decodeURIComponent(cookie.slice(SUPPORT_COOKIE.length + 1));
    return id || null;
  } catch {
    return null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for requests the session cookie authenticates: a state-changing one must come
 * from this service's own pages. Browsers say so in Sec-Fetch-Site (every current browser) or,
 * failing that, in Origin; a request with neither is refused too, since only a browser carries
 * the cookie by itself. The page needs nothing special: `fetch(url, { method: 'POST',
 * credentials: 'same-origin' })` from /dashboard sends `Sec-Fetch-Site: same-origin`.
 */
export function requireSameOrigin(req: Request, publicUrl: string): void {
  if (SAFE_METHODS.has(req.method)) return;
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string') {
    if (site === 'same-origin') return;
  } else {
    const origin = req.headers.origin;
    const own = [publicUrl, `${req.protocol}://${req.headers.host ?? ''}`];
    if (typeof origin === 'string' && own.includes(origin)) return;
  }
  throw new ProblemException(
    problem(
      403,
      'cross-site-request',
      'Cross-site request refused',
      'A request signed in by the dashboard cookie that changes something must come from the dashboard page itself',
    ),
  );
}
