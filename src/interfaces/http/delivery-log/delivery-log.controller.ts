import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type DeliveryLogAnswer } from '../../../application/delivery-log/queries/get-delivery-log.query';
import { AccessRule } from '../common/access';
import { TenantIdPipe } from '../common/tenant-id.pipe';
import { deliveryLogQuery, DeliveryLogQueryDto } from './delivery-log.dto';

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
    return this.queries.execute(deliveryLogQuery(tenantId, q));
  }
}
