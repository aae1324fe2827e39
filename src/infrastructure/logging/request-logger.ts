import { DynamicModule, Global, Module } from '@nestjs/common';
import { Logger as NestPinoLogger, PARAMS_PROVIDER_TOKEN, PinoLogger } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';
import { assignRequestId, pathOnly } from './logger-options';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

const TENANT_IN_PATH = /^\/v1\/tenants\/([A-Za-z0-9_-]{1,64})(\/|$|\?)/;

type LoggedRequest = IncomingMessage & { id: string };

/**
 * What ties a line logged while serving `req` to it, for code that has the request at hand (the
 * problem filter, a controller): its id and tenant, as on the request line. Empty before the
 * request logger gave the request an id.
 */
export function requestLogContext(req: { id?: unknown; url?: string; originalUrl?: string }): {
  req?: { id: string };
  tenantId?: string;
} {
  if (typeof req.id !== 'string') return {};
  // Express rewrites url inside a mounted router; originalUrl is what the request line saw.
  const m = TENANT_IN_PATH.exec(req.originalUrl ?? req.url ?? '');
  return m ? { req: { id: req.id }, tenantId: m[1] } : { req: { id: req.id } };
}

const LIVENESS = '/health/live';

const MESSAGES = {
  warn: '"msg":"request aborted"}\n',
  error: '"msg":"request errored"}\n',
  info: '"msg":"request completed"}\n',
} as const;

/**
 * The request line as pino would write it — its level, time and base bindings (pid, hostname)
 * from the root logger itself — but put together from the few known fields instead of through
 * pino's generic serialisation, since every request writes one. Only allow-listed values, each
 * JSON-encoded; nothing here is a secret-named key, so scrubSecrets has nothing to do.
 */
function requestLine(root: Logger, level: keyof typeof MESSAGES, req: LoggedRequest, status: number, ms: number) {
  const r = root as unknown as Record<symbol, unknown>;
  const time = (r[pino.symbols.timeSym] as () => string)();
  const bindings = r[pino.symbols.chindingsSym] as string;
  const m = TENANT_IN_PATH.exec(req.url ?? '');
  return (
    `{"level":${root.levels.values[level]}${time}${bindings},"req":{"id":${JSON.stringify(req.id)},` +
    `"method":${JSON.stringify(req.method)},"url":${JSON.stringify(pathOnly(req.url))}}` +
    (m ? `,"tenantId":"${m[1]}"` : '') +
    `,"res":{"statusCode":${status}},"responseTime":${ms},${MESSAGES[level]}`
  );
}

/** Liveness probes and scrapes are not logged (they would drown the requests). */
export const UNLOGGED = (url: string) => url.startsWith('/health/') || url === '/metrics';

/**
 * The request logger (in place of pino-http): assigns the request id and writes one line when the
 * response is done — `request completed`, `request errored` (5xx) or `request aborted` (the
 * connection closed first), with the request's bindings, the status and the time taken. The line
 * is built from allow-listed fields only.
 *
 * No AsyncLocalStorage scope: on Node 20 one turns promise hooks on for the whole process, which
 * cost a command about a tenth of its CPU. A line logged while serving a request carries its id
 * because the code that logs it passes it (logContext of the CommandContext, requestLogContext).
 */
export function requestLogging(root: Logger) {
  const stream = (root as unknown as Record<symbol, { write(line: string): void }>)[pino.symbols.streamSym];
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    // The orchestrator's liveness probe: no line, and an id only when the caller sent one to be
    // echoed (generating one per probe is most of its cost).
    if (req.url === LIVENESS) {
      if (req.headers['x-request-id'] !== undefined) assignRequestId(req as LoggedRequest, res);
      return next();
    }
    const logged = req as LoggedRequest;
    assignRequestId(logged, res);
    if (!UNLOGGED(req.url ?? '')) {
      const started = Date.now();
      res.once('close', () => {
        const level = !res.writableFinished ? 'warn' : res.statusCode >= 500 ? 'error' : 'info';
        if (root.isLevelEnabled(level))
          stream.write(requestLine(root, level, logged, res.statusCode, Date.now() - started));
      });
    }
    next();
  };
}

/**
 * nestjs-pino's Logger and PinoLogger on one root logger, without its pino-http middleware
 * (LoggerModule.forRoot would add one to every route): requestLogging above takes its place.
 */
@Global()
@Module({})
export class LoggingModule {
  static register(root: Logger): DynamicModule {
    return {
      module: LoggingModule,
      providers: [
        NestPinoLogger,
        PinoLogger,
        { provide: PARAMS_PROVIDER_TOKEN, useValue: { pinoHttp: { logger: root } } },
        { provide: ROOT_LOGGER, useValue: root },
      ],
      exports: [NestPinoLogger, PinoLogger, PARAMS_PROVIDER_TOKEN, ROOT_LOGGER],
    };
  }
}
