import { type AppConfig } from '../app-config';
import { GoogleNotConfiguredError, InvalidReturnUrlError } from './gmail-errors';

/** Google for Gmail mode, or the 503 naming what configuration is missing. */
export function requireGoogle<T>(google: T | null, config: AppConfig): T {
  if (!google)
    throw new GoogleNotConfiguredError(config.googleMissing.length ? config.googleMissing : ['GOOGLE_CLIENT_ID']);
  return google;
}

/**
 * Where a consent round trip may end: the main application's origins, and the service's own
 * PUBLIC_URL, whose settings page starts round trips that come back to it.
 */
export function returnOrigins(config: Pick<AppConfig, 'oauthReturnUrlOrigins' | 'publicUrl'>): string[] {
  return [...new Set([...config.oauthReturnUrlOrigins, config.publicUrl])];
}

/**
 * The browser is sent back to `returnUrl` with the outcome, so it must belong to one of the
 * main application's origins: anything else would make the service an open redirect.
 */
export function allowedReturnUrl(returnUrl: string, origins: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(returnUrl);
  } catch {
    throw new InvalidReturnUrlError('returnUrl must be an absolute http(s) URL');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
    throw new InvalidReturnUrlError('returnUrl must be an absolute http(s) URL without credentials');
  }
  if (!origins.includes(url.origin)) {
    throw new InvalidReturnUrlError(`returnUrl must point to one of the allowed origins (${origins.join(', ')})`);
  }
  return url.toString();
}
