import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DashboardQuery, DashboardSummary, TenantPage } from '../../../application/projections/dashboard.query';
import { AccessRule } from '../common/access';
import { TenantListQueryDto } from './dashboard.dto';

/** The support dashboard's data, answered from the projections (eventually consistent). */
@ApiTags('support dashboard')
@ApiBearerAuth()
@AccessRule('support')
@Controller('v1/dashboard')
export class DashboardApiController {
  constructor(private readonly dashboard: DashboardQuery) {}

  @Get('summary')
  @ApiOkResponse({ description: 'tenants, byMode, needsAttention, gmailRevoked, smtpFailing, checkpoint, lagMs' })
  summary(): Promise<DashboardSummary> {
    return this.dashboard.summary();
  }

  @Get('tenants')
  @ApiOkResponse({ description: '{ tenants: [...], nextCursor }, ordered by tenant id' })
  tenants(@Query() query: TenantListQueryDto): Promise<TenantPage> {
    return this.dashboard.tenants({ ...query, limit: query.limit ?? 50 });
  }
}
