import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { CommandContext } from '../../../application/common/command-context';
import { ReplayWebhookDeliveryCommand } from '../../../application/webhooks/commands/replay-webhook-delivery.command';
import { ListWebhookDeliveriesQuery } from '../../../application/webhooks/queries/list-webhook-deliveries.query';
import type { WebhookDeliveryPageView, WebhookDeliveryView } from '../../../application/webhooks/webhook-delivery.view';
import { AccessRule } from '../common/access';
import { Ctx } from '../common/request-context';
import { WebhookDeliveriesQueryDto, WebhookDeliveryDto, WebhookDeliveryPageDto } from './webhooks.dto';

@ApiTags('webhooks')
@ApiBearerAuth()
@AccessRule('support')
@ApiUnauthorizedResponse({ description: 'No valid bearer token' })
@ApiForbiddenResponse({ description: 'Not the support token' })
@ApiServiceUnavailableResponse({ description: 'Webhooks are off (WEBHOOK_URL unset), or the database is unreachable' })
@Controller('v1/webhooks/deliveries')
export class WebhookDeliveriesController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List webhook deliveries (failed = dead letters), oldest event first' })
  @ApiOkResponse({ type: WebhookDeliveryPageDto, description: 'Deliveries with their state and last error' })
  @ApiBadRequestResponse({ description: 'Unknown status, limit outside 1-500, or a cursor this service did not issue' })
  list(@Query() q: WebhookDeliveriesQueryDto): Promise<WebhookDeliveryPageView> {
    return this.queryBus.execute(new ListWebhookDeliveriesQuery(q.status, q.limit ?? 100, q.cursor));
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Replay a failed or delivered webhook: same webhook-id and body, fresh retry schedule' })
  @ApiHeader({ name: 'X-Actor', required: false, description: 'The agent replaying it (recorded as lastReplayedBy)' })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto, description: 'Queued again; attempted at once' })
  @ApiNotFoundResponse({ description: 'No delivery with this id' })
  @ApiConflictResponse({ description: 'The delivery is still pending (being attempted on its schedule)' })
  replay(@Param('id') id: string, @Ctx() ctx: CommandContext): Promise<WebhookDeliveryView> {
    return this.commandBus.execute(new ReplayWebhookDeliveryCommand(id, ctx));
  }
}
