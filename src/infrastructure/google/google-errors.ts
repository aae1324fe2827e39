import {
  GoogleRejectedError,
  GoogleUnavailableError,
  GrantRevokedError,
} from '../../application/ports/google-oauth.port';

export type GoogleOperation = 'token exchange' | 'token refresh' | 'revocation' | 'userinfo request' | 'Gmail send';

interface HttpFailure {
  response?: { status?: number; data?: unknown; headers?: unknown };
  code?: unknown;
  name?: unknown;
  cause?: unknown;
}

const SAFE_CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * Google's error code from an answer: `error` of the OAuth endpoints, or `error.status` /
 * `error.errors[0].reason` of the Google APIs. Only a short identifier ever comes out, because
 * error bodies and library messages may echo the request (URLs carry tokens).
 */
export function googleErrorCode(data: unknown): string | null {
  if (!data || typeof data !== 'object') return null;
  const error = (data as { error?: unknown }).error;
  const candidates =
    typeof error === 'string'
      ? [error]
      : error && typeof error === 'object'
        ? [
            ((error as { errors?: { reason?: unknown }[] }).errors ?? [])[0]?.reason,
            (error as { status?: unknown }).status,
          ]
        : [];
  const code = candidates.find((c): c is string => typeof c === 'string' && SAFE_CODE.test(c));
  return code ?? null;
}

export function statusOf(error: unknown): number | null {
  const status = (error as HttpFailure | null)?.response?.status;
  return typeof status === 'number' ? status : null;
}

/** A failure without an answer: timeout or network. Its wording never includes the library's message. */
export function networkReason(error: unknown): string {
  const e = error as HttpFailure | null;
  const names = [
    e?.name,
    e?.code,
    (e?.cause as HttpFailure | undefined)?.name,
    (e?.cause as HttpFailure | undefined)?.code,
  ].map(String);
  if (names.some((n) => /timeout|abort/i.test(n))) return 'timed out';
  const code = names.find((n) => /^E[A-Z_]{2,30}$/.test(n));
  return code ? `network error ${code}` : 'network error';
}

/** 5xx, 429, 408 or no answer at all: worth another try later; never a revocation. */
export function isTransient(error: unknown): boolean {
  const status = statusOf(error);
  return status === null || status === 408 || status === 429 || status >= 500;
}

/** Retry-After of a 429/503 answer, in milliseconds, when Google sent one in seconds. */
export function retryAfterMs(error: unknown): number | null {
  const headers = (error as HttpFailure | null)?.response?.headers as
    { get?: (name: string) => string | null } | undefined;
  const raw = typeof headers?.get === 'function' ? headers.get('retry-after') : null;
  return raw && /^\d{1,4}$/.test(raw) ? Number(raw) * 1000 : null;
}

/** Translates a failed Google call into the port's errors. */
export function toPortError(error: unknown, operation: GoogleOperation): Error {
  if (
    error instanceof GrantRevokedError ||
    error instanceof GoogleUnavailableError ||
    error instanceof GoogleRejectedError
  )
    return error;
  const status = statusOf(error);
  if (status === null) return new GoogleUnavailableError(`Google’s ${operation} failed: ${networkReason(error)}`);
  const code = googleErrorCode((error as HttpFailure).response?.data);
  // On refresh, invalid_grant means the grant is gone. On a code exchange it only means this
  // code (or its verifier) is not valid, which is not a revocation of anything.
  if (operation === 'token refresh' && code === 'invalid_grant') return new GrantRevokedError();
  if (isTransient(error)) return new GoogleUnavailableError(`Google answered ${status} to the ${operation}`);
  return new GoogleRejectedError(
    code ?? `http_${status}`,
    `Google refused the ${operation} (${code ?? `HTTP ${status}`})`,
  );
}
