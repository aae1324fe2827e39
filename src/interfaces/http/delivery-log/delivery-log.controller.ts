import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  type DeliveryLogAnswer,
  GetDeliveryLogQuery,
} from '../../../application/delivery-log/queries/get-delivery-log.query';
import { AccessRule } from '../common/access';
import { TenantIdPipe } from '../common/tenant-id.pipe';
import { DeliveryLogQueryDto } from './delivery-log.dto';

/** The delivery log beside the send route: `GET` on the same path reads what `POST` sent. */
@ApiTags('sending')
@ApiBearerAuth()
@Controller('v1/tenants/:tenantId/messages')
export class DeliveryLogController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @AccessRule('tenant-read')
  messages(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Query() q: DeliveryLogQueryDto,
  ): Promise<DeliveryLogAnswer> {
    return this.queries.execute(
      new GetDeliveryLogQuery(tenantId, {
        to: q.to,
        since: q.since ? new Date(q.since) : undefined,
        until: q.until ? new Date(q.until) : undefined,
        outcome: q.outcome,
        cursor: q.cursor,
        limit: q.limit ?? 100,
      }),
    );
  }
}
