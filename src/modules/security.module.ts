import { Global, Module } from '@nestjs/common';
import { TENANT_RATE_BUDGET } from '../application/ports/rate-budget.port';
import { ThrottlerTenantRateBudget } from '../interfaces/http/common/tenant-rate-budget';
import { tenantThrottlerModule } from '../interfaces/http/common/throttle';

/**
 * Per-tenant rate limits. The throttler module is global, so `@TenantRateLimit(…)` works in every
 * feature's controllers once HttpModule imports this module.
 */
@Global()
@Module({
  imports: [tenantThrottlerModule()],
  // Global too: the activation gate (SendingModule, shared with the CLI, which has no budgets) spends it.
  providers: [{ provide: TENANT_RATE_BUDGET, useClass: ThrottlerTenantRateBudget }],
  exports: [TENANT_RATE_BUDGET],
})
export class SecurityModule {}
