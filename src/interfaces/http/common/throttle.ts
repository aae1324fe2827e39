import { applyDecorators, DynamicModule, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { SkipThrottle, ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG, AppConfig, RateLimits } from '../../../application/app-config';
import { type PostgresDatabase } from '../../../infrastructure/postgres/postgres-database';
import { PostgresThrottlerStorage } from '../../../infrastructure/postgres/postgres.throttler-storage';
import { POSTGRES_DATABASE } from '../../../modules/core.module';
import { problem, ProblemException } from './problem';

/** The tenant operations that cost us or a third party something: each has its own budget. */
export type RateLimitName = keyof RateLimits;
const NAMES: RateLimitName[] = ['smtpTest', 'gmailAuthorization', 'send'];
const RATE_LIMIT_KEY = 'rateLimit';

const WHAT: Record<RateLimitName, string> = {
  smtpTest: 'SMTP connection tests',
  gmailAuthorization: 'Gmail authorization requests',
  send: 'messages sent',
};

/** The 429's detail, the same whether a route guard or a use case (an activation's Test) spent the budget. */
export function tooManyDetail(name: RateLimitName, limit: number, ttlMs: number, retryAfter: number): string {
  const window = Math.round(ttlMs / 1000);
  const what = WHAT[name] ?? 'requests';
  return `Too many ${what} for this tenant (at most ${limit} per ${window} s); retry in ${retryAfter} s`;
}

/**
 * @nestjs/throttler with one named throttler per operation, limits from THROTTLE_* (see config).
 * Imported once (the module is global), so every controller's guard shares one storage: the
 * library's in-memory one, or in the replicated shape PostgreSQL's, one budget across instances.
 */
export function tenantThrottlerModule(): DynamicModule {
  return ThrottlerModule.forRootAsync({
    inject: [APP_CONFIG, { token: POSTGRES_DATABASE, optional: true }],
    useFactory: (config: AppConfig, database: PostgresDatabase | null | undefined) => ({
      storage: database ? new PostgresThrottlerStorage(database.pool) : undefined,
      // Headers of the library carry the throttler's name as a suffix; the 429 sets Retry-After itself.
      setHeaders: false,
      throttlers: NAMES.map((name) => ({
        name,
        limit: config.rateLimits[name].limit,
        ttl: config.rateLimits[name].windowSeconds * 1000,
      })),
    }),
  });
}

/** Counts per tenant (the route's :tenantId), so one busy tenant cannot use up another's budget. */
@Injectable()
export class TenantThrottlerGuard extends ThrottlerGuard {
  protected async getTracker(req: Record<string, any>): Promise<string> {
    const tenantId = req.params?.tenantId;
    return typeof tenantId === 'string' ? `tenant:${tenantId}` : `ip:${await super.getTracker(req)}`;
  }

  protected async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const name = this.reflector.get<RateLimitName>(RATE_LIMIT_KEY, context.getHandler());
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    throw new ProblemException(
      problem(429, 'rate-limited', 'Too many requests', tooManyDetail(name, detail.limit, detail.ttl, retryAfter), {
        retryAfter,
      }),
      { 'Retry-After': String(retryAfter) },
    );
  }
}

/**
 * Limits a tenant route by the named budget, e.g. `@TenantRateLimit('send')` on POST …/messages.
 * Runs after the global auth guard, so unauthenticated calls never spend a tenant's budget.
 */
export const TenantRateLimit = (name: RateLimitName) =>
  applyDecorators(
    SetMetadata(RATE_LIMIT_KEY, name),
    SkipThrottle(Object.fromEntries(NAMES.map((n) => [n, n !== name]))),
    UseGuards(TenantThrottlerGuard),
  );
