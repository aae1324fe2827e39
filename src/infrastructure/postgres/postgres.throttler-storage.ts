import { type ThrottlerStorage } from '@nestjs/throttler';
import { type Pool } from 'pg';
import { unavailableAs } from './postgres-errors';

/** What @nestjs/throttler expects back from ThrottlerStorage.increment (its own interface, re-stated). */
export interface ThrottlerHit {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/*
 * One atomic statement per request; the row lock of the upsert orders instances racing on one
 * tenant, and PostgreSQL's clock is the only clock, so instances with skewed clocks still share
 * one window. Per (key, throttler):
 *   blocked      (blocked_until in the future): nothing counts until the block ends;
 *   fresh start  (window over, or a block just ended): a new window with this one hit;
 *   otherwise    one more hit; going over the limit blocks for blockDuration.
 */
const INCREMENT = `
INSERT INTO throttler_counters AS c (key, throttler, window_expires_at, hits, blocked_until)
VALUES ($1, $2, now() + $3 * interval '1 millisecond', 1, NULL)
ON CONFLICT (key, throttler) DO UPDATE SET
  window_expires_at = CASE
    WHEN c.blocked_until > now() THEN c.window_expires_at
    WHEN c.window_expires_at <= now() OR c.blocked_until IS NOT NULL THEN excluded.window_expires_at
    ELSE c.window_expires_at END,
  hits = CASE
    WHEN c.blocked_until > now() THEN c.hits
    WHEN c.window_expires_at <= now() OR c.blocked_until IS NOT NULL THEN 1
    ELSE c.hits + 1 END,
  blocked_until = CASE
    WHEN c.blocked_until > now() THEN c.blocked_until
    WHEN c.window_expires_at <= now() OR c.blocked_until IS NOT NULL THEN NULL
    WHEN c.hits + 1 > $4 THEN now() + $5 * interval '1 millisecond'
    ELSE NULL END
RETURNING hits,
  ceil(extract(epoch FROM window_expires_at - now()))::int AS expires_in,
  ceil(extract(epoch FROM blocked_until - now()))::int AS blocked_for`;

const SWEEP = `DELETE FROM throttler_counters
  WHERE window_expires_at < now() AND (blocked_until IS NULL OR blocked_until < now())`;

/**
 * @nestjs/throttler storage in the replicated shape's PostgreSQL: one budget per key across every
 * instance. Fixed windows (not the in-memory storage's sliding log): at most `limit` hits start
 * in any one window, so a burst straddling two windows can see up to twice the limit in `ttl`.
 * Expired windows are swept once a minute by whichever instance gets there.
 */
export class PostgresThrottlerStorage implements ThrottlerStorage {
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly sweepIntervalMs = 60_000,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerHit> {
    this.sweeper ??= setInterval(() => void this.sweep().catch(() => undefined), this.sweepIntervalMs).unref();
    const { rows } = await unavailableAs('rate limit', () =>
      this.pool.query<{ hits: number; expires_in: number; blocked_for: number | null }>({
        name: 'mcs_throttler_increment',
        text: INCREMENT,
        // A zero block still has to refuse the request that went over: block for at least the window.
        values: [key, throttlerName, ttl, limit, blockDuration > 0 ? blockDuration : ttl],
      }),
    );
    const { hits, expires_in, blocked_for } = rows[0];
    const isBlocked = blocked_for !== null && blocked_for > 0;
    return {
      totalHits: isBlocked ? Math.max(hits, limit + 1) : hits,
      timeToExpire: Math.max(0, expires_in),
      isBlocked,
      timeToBlockExpire: isBlocked ? blocked_for : 0,
    };
  }

  /** Deletes windows that are over and not blocking; returns how many. */
  async sweep(): Promise<number> {
    return (await this.pool.query(SWEEP)).rowCount ?? 0;
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
