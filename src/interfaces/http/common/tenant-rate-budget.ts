import { Inject, Injectable } from '@nestjs/common';
import { getStorageToken, type ThrottlerStorage } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../../application/app-config';
import { ApplicationError } from '../../../application/common/application-error';
import type { TenantRateBudget } from '../../../application/ports/rate-budget.port';
import { GmailAuthorizationController } from '../gmail/gmail-authorization.controller';
import { SmtpTestController } from '../smtp-test/smtp-test.controller';
import { type RateLimitName, tooManyDetail } from './throttle';

/** The API route whose budget a name stands for (class and handler name, as the throttler keys them). */
const API_ROUTES: Partial<Record<RateLimitName, [string, string]>> = {
  smtpTest: [SmtpTestController.name, 'test'],
  gmailAuthorization: [GmailAuthorizationController.name, 'authorize'],
};

/** The throttler's key of that API route's budget for a tracker (`tenant:<id>`); undefined: the name has none. */
export function apiBudgetKey(name: RateLimitName, tracker: string): string | undefined {
  const route = API_ROUTES[name];
  if (!route) return undefined;
  return createHash('sha256').update(`${route[0]}-${route[1]}-${name}-${tracker}`).digest('hex');
}

/**
 * Spends a tenant's budget outside a route guard, in the guard's own storage (in memory, or
 * PostgreSQL in the replicated shape) under the API route's key: the route and the use case share
 * one count, one window and one block.
 */
@Injectable()
export class ThrottlerTenantRateBudget implements TenantRateBudget {
  constructor(
    @Inject(getStorageToken()) private readonly storage: ThrottlerStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async spend(name: RateLimitName, tenantId: string): Promise<void> {
    const key = apiBudgetKey(name, `tenant:${tenantId}`);
    if (key === undefined) throw new Error(`No route budget named ${name}`);
    const { limit, windowSeconds } = this.config.rateLimits[name];
    const ttl = windowSeconds * 1000;
    // The guard's defaults: block for one window once over the limit.
    const hit = await this.storage.increment(key, ttl, limit, ttl, name);
    if (!hit.isBlocked) return;
    const retryAfter = Math.max(1, hit.timeToBlockExpire);
    throw new ApplicationError('RATE_LIMITED', tooManyDetail(name, limit, ttl, retryAfter), undefined, {
      retryAfter,
    });
  }
}
