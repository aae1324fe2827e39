import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

const REQUEST_ID = /^[A-Za-z0-9._:@\/-]{1,128}$/;

/** X-Request-Id: kept when it is sane, generated otherwise, echoed back; stored as correlation id. */
export function assignRequestId(req: IncomingMessage & { id?: string }, res: ServerResponse): string {
  if (req.id) return req.id;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  req.id = id;
  if (!res.headersSent) res.setHeader('X-Request-Id', id);
  return id;
}

/** Every path a secret can take into a log line; pino replaces their values with "[redacted]". */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.pass',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.refresh_token',
  '*.id_token',
  '*.code',
  '*.state',
  '*.code_verifier',
  '*.client_secret',
  '*.authorization',
  '*.Authorization',
];

const TENANT_IN_PATH = /^\/v1\/tenants\/([A-Za-z0-9_-]{1,64})(\/|$|\?)/;

/** The path without its query: OAuth callbacks carry `code` and `state` there. */
export function pathOnly(url: string | undefined): string {
  return (url ?? '').split('?')[0];
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
          req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: pathOnly(req.url) }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
        autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health/') || req.url === '/metrics' },
        ...(pretty && !stream ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
      },
      stream as DestinationStream,
    ].filter(Boolean) as never,
  };
}
