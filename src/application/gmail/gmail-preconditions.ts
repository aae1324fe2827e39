import { MailConfigError } from '../../domain/mail-config/mail-config.errors';
import { type AppConfig } from '../app-config';
import { type TenantState } from '../mail-config/state-reader';
import { GoogleNotConfiguredError, InvalidReturnUrlError } from './gmail-errors';

/** Google for Gmail mode, or the 503 naming what configuration is missing. */
export function requireGoogle<T>(google: T | null, config: AppConfig): T {
  if (!google)
    throw new GoogleNotConfiguredError(config.googleMissing.length ? config.googleMissing : ['GOOGLE_CLIENT_ID']);
  return google;
}

/** A tenant that exists and is not erased; Gmail cannot be authorized or withdrawn otherwise. */
export function requireActiveTenant(loaded: TenantState): void {
  if (loaded.version === 0)
    throw new MailConfigError('NOT_PROVISIONED', 'This tenant’s mail configuration has not been provisioned');
  if (loaded.state.status === 'erased')
    throw new MailConfigError('TENANT_ERASED', 'This tenant’s mail configuration was erased');
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
