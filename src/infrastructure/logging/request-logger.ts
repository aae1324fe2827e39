import { DynamicModule, Global, Module } from '@nestjs/common';
import { Logger as NestPinoLogger, PARAMS_PROVIDER_TOKEN, PinoLogger } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { assignRequestId, pathOnly } from './logger-options';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

const TENANT_IN_PATH = /^\/v1\/tenants\/([A-Za-z0-9_-]{1,64})(\/|$|\?)/;

type LoggedRequest = IncomingMessage & { id: string };

/** What every line of a request carries: its id, method, path (never the query) and tenant. */
function requestBindings(req: LoggedRequest): Record<string, unknown> {
  const m = TENANT_IN_PATH.exec(req.url ?? '');
  const bindings: Record<string, unknown> = { req: { id: req.id, method: req.method, url: pathOnly(req.url) } };
  if (m) bindings.tenantId = m[1];
  return bindings;
}

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
        const line = requestBindings(logged);
        line.res = { statusCode: res.statusCode };
        line.responseTime = Date.now() - started;
        if (!res.writableFinished) root.warn(line, 'request aborted');
        else if (res.statusCode >= 500) root.error(line, 'request errored');
        else root.info(line, 'request completed');
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
