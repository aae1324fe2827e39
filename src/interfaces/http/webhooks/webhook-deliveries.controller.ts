import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../application/common/command-context';
import { ReplayWebhookDeliveryCommand } from '../../../application/webhooks/commands/replay-webhook-delivery.command';
import { ListWebhookDeliveriesQuery } from '../../../application/webhooks/queries/list-webhook-deliveries.query';
import type { WebhookDeliveryPageView, WebhookDeliveryView } from '../../../application/webhooks/webhook-delivery.view';
import { AccessRule } from '../common/access';
import { Ctx } from '../common/request-context';
import { WebhookDeliveriesQueryDto } from './webhooks.dto';

@ApiTags('webhooks')
@ApiBearerAuth()
@AccessRule('support')
@Controller('v1/webhooks/deliveries')
export class WebhookDeliveriesController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'Webhook deliveries, oldest event first, with their state and last error' })
  list(@Query() q: WebhookDeliveriesQueryDto): Promise<WebhookDeliveryPageView> {
    return this.queryBus.execute(new ListWebhookDeliveriesQuery(q.status, q.limit ?? 100, q.cursor));
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'Queued again (same webhook-id and body, fresh retry schedule)' })
  replay(@Param('id') id: string, @Ctx() ctx: CommandContext): Promise<WebhookDeliveryView> {
    return this.commandBus.execute(new ReplayWebhookDeliveryCommand(id, ctx));
  }
}
