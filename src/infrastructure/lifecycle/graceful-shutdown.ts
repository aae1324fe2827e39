import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ConfigError } from '../config/config';

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** SHUTDOWN_TIMEOUT_MS: how long in-flight requests may take to finish once a stop was asked for. */
export function shutdownTimeoutFrom(env: Record<string, string | undefined>): number {
  const raw = env.SHUTDOWN_TIMEOUT_MS?.trim();
  if (!raw) return DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (!/^\d{1,7}$/.test(raw))
    throw new ConfigError('SHUTDOWN_TIMEOUT_MS', `must be a number of milliseconds, got "${raw}"`);
  return Number(raw);
}

export type DrainOutcome = { drained: true } | { drained: false; cutConnections: number };

/**
 * Stops accepting connections and waits for the requests in flight to finish, at most
 * `timeoutMs`; then cuts whatever is still open. Idle keep-alive connections are closed at once
 * and again whenever one becomes idle, and responses sent meanwhile carry `Connection: close`,
 * so clients reconnect to another instance instead of holding this one open.
 */
export async function drainHttpServer(server: Server, timeoutMs: number): Promise<DrainOutcome> {
  if (!server.listening) return { drained: true };
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const lastWord = (_req: IncomingMessage, res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  server.prependListener('request', lastWord);
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    if ((await Promise.race([closed.then(() => 'closed' as const), deadline])) === 'closed') return { drained: true };
    let cutConnections = 0;
    await new Promise<void>((resolve) => server.getConnections((_e, n) => ((cutConnections = n ?? 0), resolve())));
    server.closeAllConnections();
    await closed;
    return { drained: false, cutConnections };
  } finally {
    clearInterval(sweep);
    clearTimeout(timer);
    server.off('request', lastWord);
  }
}
