import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
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

/** Keys whose values are secrets wherever they appear in a logged object (top level, or 1–2 levels down). */
const SECRET_KEYS = [
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
  'Authorization',
  'cookie',
];

/** Every path a secret can take into a log line; pino replaces their values with "[redacted]". */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

const TENANT_IN_PATH = /^\/v1\/tenants\/([A-Za-z0-9_-]{1,64})(\/|$|\?)/;

/** The path without its query: OAuth callbacks carry `code` and `state` there. */
export function pathOnly(url: string | undefined): string {
  return (url ?? '').split('?')[0];
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

export function loggerOptions(level: string, pretty: boolean, stream?: DestinationStream): Params {
  return {
    pinoHttp: [
      {
        level,
        redact: { paths: REDACT_PATHS, censor: '[redacted]' },
        genReqId: (req: IncomingMessage & { id?: string }, res: ServerResponse) => assignRequestId(req, res),
        customProps: (req: IncomingMessage) => {
          const m = TENANT_IN_PATH.exec(req.url ?? '');
          return m ? { tenantId: m[1] } : {};
        },
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({
            id: req.id,
            method: req.method,
            url: pathOnly(req.url),
          }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          err: serializeError,
        },
        autoLogging: {
          ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health/') || req.url === '/metrics',
        },
        ...(pretty && !stream && prettyInstalled()
          ? { transport: { target: 'pino-pretty', options: { singleLine: true } } }
          : {}),
      },
      stream as DestinationStream,
    ].filter(Boolean) as never,
  };
}
