import type { CommandContext } from './command-context';

/** The fields that tie a line to the request (or job) it was logged for. */
export interface LogContext {
  req: { id: string };
  tenantId?: string;
}

/**
 * What a use case puts first on every line it logs: the request id (a CommandContext's
 * correlationId is the request's X-Request-Id) and the tenant, the same fields the request line
 * carries, so the two are found together. Passed explicitly rather than picked up from an
 * AsyncLocalStorage scope, which on Node 20 makes every promise of the process pay for hooks.
 */
export function logContext(context: CommandContext, tenantId?: string): LogContext {
  const req = { id: context.correlationId };
  return tenantId === undefined ? { req } : { req, tenantId };
}
