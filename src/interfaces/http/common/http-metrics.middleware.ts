import type { NextFunction, Request, Response } from 'express';
import { performance } from 'node:perf_hooks';

/** Where the HTTP middleware reports; the prom-client Metrics implements it. */
export const HTTP_METRICS = Symbol('HTTP_METRICS');

export interface HttpMetrics {
  httpRequestObserved(method: string, route: string, status: number, seconds: number): void;
}

/** Liveness probes are not timed: they come every few seconds from the orchestrator and say nothing about load. */
const UNTIMED = '/health/live';

/**
 * Times every request from its arrival to the last byte of the response (or a closed
 * connection), including the ones a guard, the body parser or the router refused. The route is
 * the matched pattern (`/v1/tenants/:tenantId/mail-config`), never the raw path, so tenant ids
 * and scanners' random paths do not multiply the series.
 */
export function httpMetricsMiddleware(metrics: HttpMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.url === UNTIMED) return next();
    const started = performance.now();
    // 'close' follows 'finish' on every response, and comes alone when the connection drops first.
    res.once('close', () => {
      metrics.httpRequestObserved(req.method, routeOf(req), res.statusCode, (performance.now() - started) / 1000);
    });
    next();
  };
}

/**
 * Express leaves the last route it dispatched to in `req.route`. For a path no controller
 * handles, that is a catch-all middleware mount (`/{*path}`): such wildcards are not endpoints.
 */
function routeOf(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern !== 'string' || pattern.includes('*')) return 'unmatched';
  return req.baseUrl ? `${req.baseUrl}${pattern}` : pattern;
}
