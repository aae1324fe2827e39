import type { Response } from 'express';

/**
 * The settings page loads only its own script and stylesheet and talks only to this origin. It
 * may be framed by the main application's origins (OAUTH_RETURN_URL_ORIGINS) and nobody else;
 * provider consent screens open at top level, since Google refuses to be framed.
 */
export function settingsPageHeaders(frameAncestors: readonly string[]): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors.length ? frameAncestors.join(' ') : "'none'"}`,
    "base-uri 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}

export function setSettingsPageHeaders(res: Response, frameAncestors: readonly string[]): void {
  res.set(settingsPageHeaders(frameAncestors));
}
