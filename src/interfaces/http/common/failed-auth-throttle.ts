import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type RateLimit } from '../../../application/app-config';
import { SUPPORT_COOKIE } from './auth.guard';
import { problem, ProblemException } from './problem';

/** Addresses remembered at most; past it, windows that ended are forgotten first, then the oldest. */
const MAX_ADDRESSES = 50_000;

/**
 * Failed authentications per client address in fixed windows: past the limit, every request that
 * carries a credential from that address is answered 429 until the window ends, so tokens cannot
 * be guessed at the speed of the network. Behind a proxy every client shares its address unless
 * the proxy is trusted (Express `trust proxy`), so the limit is per proxy then.
 */
export class FailedAuthThrottle {
  private readonly windows = new Map<string, { failures: number; endsAt: number }>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `address` may try again, or null when it may now. */
  blockedFor(address: string): number | null {
    const window = this.windows.get(address);
    if (!window || window.endsAt <= this.now()) return null;
    return window.failures >= this.limit.limit ? Math.max(1, Math.ceil((window.endsAt - this.now()) / 1000)) : null;
  }

  failed(address: string): void {
    const now = this.now();
    const window = this.windows.get(address);
    if (window && window.endsAt > now) {
      window.failures++;
      return;
    }
    if (this.windows.size >= MAX_ADDRESSES) this.forget(now);
    this.windows.delete(address);
    this.windows.set(address, { failures: 1, endsAt: now + this.limit.windowSeconds * 1000 });
  }

  private forget(now: number): void {
    for (const [address, window] of this.windows) if (window.endsAt <= now) this.windows.delete(address);
    while (this.windows.size >= MAX_ADDRESSES) this.windows.delete(this.windows.keys().next().value!);
  }
}

/** A bearer token, the dashboard cookie, or the dashboard's sign-in form: something that can be guessed. */
function carriesCredential(req: Request): boolean {
  if (req.headers.authorization) return true;
  if (req.headers.cookie?.includes(`${SUPPORT_COOKIE}=`)) return true;
  return req.method === 'POST' && /^\/dashboard\/session\/?(\?|$)/.test(req.originalUrl);
}

const SEEN = Symbol('failed-auth throttle seen');

/** First in the chain: refuses a throttled address before anything else runs, and counts every 401 answered. */
export function failedAuthThrottleMiddleware(throttle: FailedAuthThrottle): RequestHandler {
  return (req: Request & { [SEEN]?: true }, res: Response, next: NextFunction) => {
    // Routes matched by two middleware bindings (the messages route) pass here twice: count once.
    if (req[SEEN] || !carriesCredential(req)) return next();
    req[SEEN] = true;
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const retryAfter = throttle.blockedFor(address);
    if (retryAfter !== null) {
      return next(
        new ProblemException(
          problem(
            429,
            'rate-limited',
            'Too many requests',
            `Too many failed authentications from this address; retry in ${retryAfter} s`,
            { retryAfter },
          ),
          { 'Retry-After': String(retryAfter) },
        ),
      );
    }
    res.on('finish', () => {
      if (res.statusCode === 401) throttle.failed(address);
    });
    next();
  };
}
