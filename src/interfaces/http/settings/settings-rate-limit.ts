import { applyDecorators, type ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { apiBudgetKey } from '../common/tenant-rate-budget';
import { type RateLimitName, TenantThrottlerGuard } from '../common/throttle';

const NAMES: RateLimitName[] = ['smtpTest', 'gmailAuthorization', 'send'];

/**
 * The throttler keys a budget by route; the page's routes count against the same per-tenant
 * budget as the API routes they stand for, so the page is no way around the API's limits.
 */
@Injectable()
export class SettingsThrottlerGuard extends TenantThrottlerGuard {
  protected generateKey(context: ExecutionContext, suffix: string, name: string): string {
    return apiBudgetKey(name as RateLimitName, suffix) ?? super.generateKey(context, suffix, name);
  }
}

/** As `@TenantRateLimit(name)`, on the budget of the API route (the session's tenant stands in for :tenantId). */
export const SettingsRateLimit = (name: RateLimitName) =>
  applyDecorators(
    SetMetadata('rateLimit', name),
    SkipThrottle(Object.fromEntries(NAMES.map((n) => [n, n !== name]))),
    UseGuards(SettingsThrottlerGuard),
  );
