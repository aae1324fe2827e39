import {
  GrantRevokedError,
  MicrosoftRejectedError,
  MicrosoftUnavailableError,
} from '../../application/microsoft/microsoft.port';
import { HttpNetworkError, HttpTimeoutError } from './https-client';

/**
 * AADSTS codes that mean the grant is gone for good and only a new consent helps, read from the
 * token answer's `error_codes` (learn.microsoft.com, "Microsoft Entra authentication and
 * authorization error codes"): revoked or expired refresh tokens, password changes, disabled or
 * deleted accounts, consent withdrawn, and sign-in requirements (MFA, sign-in frequency,
 * conditional access) that a background sender can never satisfy.
 */
export const REVOKED_CODES: ReadonlySet<number> = new Set([
  50173, // the grant expired: password changed or reset (AADSTS50173)
  700082, // refresh token expired through inactivity
  70008, // code or refresh token expired or revoked
  70043, // refresh token expired or invalid: sign-in frequency of conditional access
  700084, // refresh token of a single-page app expired
  50076, // multi-factor authentication required
  50079, // the user must enroll for multi-factor authentication
  50078, // presented MFA claim expired
  50057, // the account is disabled
  50034, // the account does not exist in the directory
  50053, // the account is locked
  50055, // the password expired
  50133, // session invalid: password changed
  65001, // the user or an administrator has not consented (consent withdrawn)
  54005, // code already redeemed
  53003, // blocked by conditional access
  500014, // service principal disabled: the app was removed from the tenant
  7000112, // the application is disabled
]);

interface MsalErrorShape {
  errorCode?: string;
  errorMessage?: string;
  errorNo?: string | number;
  status?: number;
  subError?: string;
}

/** The AADSTS number of an MSAL error: `errorNo` (error_codes[0]), else the code quoted in the description. */
export function aadstsOf(error: unknown): number | null {
  const e = error as MsalErrorShape;
  if (e?.errorNo !== undefined && /^\d+$/.test(String(e.errorNo))) return Number(e.errorNo);
  const quoted = /AADSTS(\d+)/.exec(e?.errorMessage ?? (error as Error)?.message ?? '');
  return quoted ? Number(quoted[1]) : null;
}

/** A message safe to log or answer: the error code and AADSTS number only (descriptions may echo input). */
export function describe(error: unknown): string {
  const e = error as MsalErrorShape;
  const code = aadstsOf(error);
  return [e?.errorCode ?? (error as Error)?.name ?? 'error', code !== null ? `AADSTS${code}` : null]
    .concat(e?.status ? [`HTTP ${e.status}`] : [])
    .filter(Boolean)
    .join(', ');
}

/** MSAL's error of a refresh (or code exchange) as one of the port's three outcomes. */
export function tokenFailure(error: unknown): Error {
  if (error instanceof HttpTimeoutError || error instanceof HttpNetworkError) {
    return new MicrosoftUnavailableError(`The Microsoft identity platform did not answer (${error.message})`);
  }
  const e = error as MsalErrorShape;
  const status = e?.status ?? null;
  const code = e?.errorCode ?? '';
  if (
    status === 429 ||
    (status !== null && status >= 500) ||
    ['temporarily_unavailable', 'server_error', 'network_error', 'endpoints_resolution_error'].includes(code)
  ) {
    return new MicrosoftUnavailableError(`The Microsoft identity platform is unavailable (${describe(error)})`);
  }
  const aadsts = aadstsOf(error);
  if ((code === 'invalid_grant' || code === 'interaction_required') && aadsts !== null && REVOKED_CODES.has(aadsts)) {
    return new GrantRevokedError(`The Microsoft 365 authorization was revoked or has expired (AADSTS${aadsts})`);
  }
  return new MicrosoftRejectedError(code || 'unknown', `The Microsoft identity platform refused (${describe(error)})`);
}

/** Consent errors an administrator must resolve (the user cannot grant the app themselves). */
export const ADMIN_CONSENT_CODES: ReadonlySet<number> = new Set([65001, 90094, 90095, 900941]);
