import type { Params } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { serializeError } from './error-serializer';

const REQUEST_ID = /^[A-Za-z0-9._:@/-]{1,128}$/;

/** X-Request-Id: kept when it is sane, generated otherwise, echoed back; stored as correlation id. */
export function assignRequestId(req: IncomingMessage & { id?: string }, res: ServerResponse): string {
  if (req.id) return req.id;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  req.id = id;
  if (!res.headersSent) res.setHeader('X-Request-Id', id);
  return id;
}

/** Keys whose values are secrets wherever they appear in a logged object (compared without case). */
export const SECRET_KEYS = [
  'password',
  'pass',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'id_token',
  'code',
  'state',
  'code_verifier',
  'client_secret',
  'clientSecret',
  'authorization',
  'cookie',
  'set-cookie',
  'idempotency-key',
];
const SECRET = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));
/** How deep a logged object is searched for secret keys (the wildcard paths this replaced went two levels down). */
const SCRUB_DEPTH = 4;
export const CENSOR = '[redacted]';

function plain(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A logged object with every secret-named value replaced, copied only along the paths that held
 * one (the caller's object is never changed). Only plain objects and arrays are searched: errors
 * go through the allow-list of serializeError, and no other object is logged whole. The request
 * line and the request bindings are built from allow-listed fields, so this finds nothing there
 * and costs a few key look-ups instead of fifty wildcard paths.
 */
export function scrubSecrets<T>(value: T, depth = 0): T {
  if (!plain(value)) return value;
  let copy: Record<string, unknown> | unknown[] | null = null;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    let next = v;
    if (SECRET.has(key.toLowerCase())) next = v === undefined || v === null ? v : CENSOR;
    else if (depth < SCRUB_DEPTH && plain(v)) next = scrubSecrets(v, depth + 1);
    if (next !== v) {
      copy ??= Array.isArray(value) ? [...value] : { ...value };
      (copy as Record<string, unknown>)[key] = next;
    }
  }
  return (copy ?? value) as T;
}

/** The path without its query: OAuth callbacks carry `code` and `state` there. */
export function pathOnly(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** pino-pretty is a dev dependency: an image built with --omit=dev logs JSON even outside production. */
function prettyInstalled(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * The one pino instance of a process. What it writes is built from allow-listed fields: the
 * serializers copy a request's id, method and path (no query), a response's status and an error's
 * diagnostic fields; anything else a caller logs is scrubbed of secret-named keys (formatters).
 */
export function rootLogger(level: string, pretty: boolean, stream?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    formatters: { log: scrubSecrets, bindings: scrubSecrets },
    serializers: {
      // A use case's line carries only `req: { id }` (logContext): no empty url is added to it.
      req: (req: { id?: string; method?: string; url?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url === undefined ? undefined : pathOnly(req.url),
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      err: serializeError,
    },
  };
  if (stream) return pino(options, stream);
  if (pretty && prettyInstalled()) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { singleLine: true } } });
  }
  return pino(options);
}

/** nestjs-pino's parameters around that instance (its Logger and PinoLogger log through it). */
export function loggerOptions(level: string, pretty: boolean, stream?: DestinationStream): Params {
  return { pinoHttp: { logger: rootLogger(level, pretty, stream) } };
}
