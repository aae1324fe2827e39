import { Module } from '@nestjs/common';
import { tenantThrottlerModule } from '../interfaces/http/common/throttle';

/**
 * Per-tenant rate limits. The throttler module is global, so `@TenantRateLimit(…)` works in every
 * feature's controllers once HttpModule imports this module.
 */
@Module({ imports: [tenantThrottlerModule()] })
export class SecurityModule {}
