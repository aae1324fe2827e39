import type { RateLimits } from '../app-config';

export const TENANT_RATE_BUDGET = Symbol('TENANT_RATE_BUDGET');

/**
 * The per-tenant budgets of THROTTLE_* for work a use case starts on its own (an activation's
 * Test), counted in the same store and under the same key as the route that stands for that work,
 * so every way in shares one budget. Absent where nothing is rate-limited (the CLI).
 */
export interface TenantRateBudget {
  /**
   * Counts one use against the tenant's budget; over it, throws `ApplicationError('RATE_LIMITED')`
   * with `details.retryAfter` (seconds) and counts nothing more until the block ends.
   */
  spend(name: keyof RateLimits, tenantId: string): Promise<void>;
}
