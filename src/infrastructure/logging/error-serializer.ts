/**
 * What an error may show in a log line: its kind, message, stack and the few diagnostic fields
 * our adapters set. Library errors carry much more — an HTTP client error holds the request it
 * made (bearer header, form body with refresh token and client secret), an SMTP error the
 * session — so an allow-list, not redaction paths, decides what is written.
 */
const DIAGNOSTIC_FIELDS = [
  'stage',
  'reason',
  'uncertain',
  'responseCode',
  'status',
  'statusCode',
  'errno',
  'syscall',
] as const;
const MAX_DEPTH = 3;

export interface LoggedError {
  type: string;
  message: string;
  stack?: string;
  /** The error's `code` (ECONNREFUSED, EAUTH, …); renamed so the `code` redaction (OAuth codes) spares it. */
  errorCode?: string;
  cause?: LoggedError;
  [field: string]: unknown;
}

/** The error behind what a serializer is given: pino-http hands over pino's own rendering, the original in `raw`. */
function errorLike(value: unknown): (Error & Record<string, unknown>) | null {
  if (value instanceof Error) return value as Error & Record<string, unknown>;
  if (typeof value !== 'object' || value === null) return null;
  const raw = (value as { raw?: unknown }).raw;
  if (raw instanceof Error) return raw as Error & Record<string, unknown>;
  return typeof (value as { message?: unknown }).message === 'string'
    ? (value as Error & Record<string, unknown>)
    : null;
}

export function serializeError(error: unknown, depth = 0): LoggedError | unknown {
  const e = errorLike(error);
  if (!e) return error;
  const out: LoggedError = {
    type: e.constructor?.name && e.constructor !== Object ? e.constructor.name : String(e.name ?? 'Error'),
    message: String(e.message),
  };
  if (typeof e.stack === 'string') out.stack = e.stack;
  if (typeof e.code === 'string' || typeof e.code === 'number') out.errorCode = String(e.code);
  for (const field of DIAGNOSTIC_FIELDS) {
    const value = e[field];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[field] = value;
  }
  // An SMTP server's reply ("535 5.7.8 Authentication failed") says why; it never holds our secrets.
  if (typeof e.response === 'string') out.response = e.response.slice(0, 300);
  if (e.cause !== undefined && depth < MAX_DEPTH) out.cause = serializeError(e.cause, depth + 1) as LoggedError;
  return out;
}
