import { applyDecorators, type ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { type RateLimitName, TenantThrottlerGuard } from '../common/throttle';
import { GmailAuthorizationController } from '../gmail/gmail-authorization.controller';
import { SmtpTestController } from '../smtp-test/smtp-test.controller';

/** The API route whose budget a settings route spends (class and handler name, as the throttler keys them). */
const API_ROUTES: Partial<Record<RateLimitName, [string, string]>> = {
  smtpTest: [SmtpTestController.name, 'test'],
  gmailAuthorization: [GmailAuthorizationController.name, 'authorize'],
};
const NAMES: RateLimitName[] = ['smtpTest', 'gmailAuthorization', 'send'];

/**
 * The throttler keys a budget by route; the page's routes count against the same per-tenant
 * budget as the API routes they stand for, so the page is no way around the API's limits.
 */
@Injectable()
export class SettingsThrottlerGuard extends TenantThrottlerGuard {
  protected generateKey(context: ExecutionContext, suffix: string, name: string): string {
    const route = API_ROUTES[name as RateLimitName];
    if (!route) return super.generateKey(context, suffix, name);
    return createHash('sha256').update(`${route[0]}-${route[1]}-${name}-${suffix}`).digest('hex');
  }
}

/** As `@TenantRateLimit(name)`, on the budget of the API route (the session's tenant stands in for :tenantId). */
export const SettingsRateLimit = (name: RateLimitName) =>
  applyDecorators(
    SetMetadata('rateLimit', name),
    SkipThrottle(Object.fromEntries(NAMES.map((n) => [n, n !== name]))),
    UseGuards(SettingsThrottlerGuard),
  );
