import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  type DashboardSummary,
  GetDashboardSummaryQuery,
} from '../../../application/projections/queries/get-dashboard-summary.query';
import {
  GetDashboardTenantsQuery,
  type TenantPage,
} from '../../../application/projections/queries/get-dashboard-tenants.query';
import { AccessRule } from '../common/access';
import { TenantListQueryDto } from './dashboard.dto';

/** The support dashboard's data, answered from the projections (eventually consistent). */
@ApiTags('support dashboard')
@ApiBearerAuth()
@AccessRule('support')
@Controller('v1/dashboard')
export class DashboardApiController {
  constructor(private readonly queries: QueryBus) {}

  @Get('summary')
  @ApiOkResponse({ description: 'tenants, byMode, needsAttention, gmailRevoked, smtpFailing, checkpoint, lagMs' })
  summary(): Promise<DashboardSummary> {
    return this.queries.execute(new GetDashboardSummaryQuery());
  }

  @Get('tenants')
  @ApiOkResponse({
    description:
      '{ tenants: [...], nextCursor }, ordered by tenant id; each row has duplicateUsername: true when another ' +
      'tenant (erased ones included) has the same username',
  })
  tenants(@Query() query: TenantListQueryDto): Promise<TenantPage> {
    const { mode, status, q, limit, cursor } = query;
    return this.queries.execute(new GetDashboardTenantsQuery({ mode, status, q, limit: limit ?? 50, cursor }));
  }
}
