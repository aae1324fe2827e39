import { Command } from '@nestjs/cqrs';
import { type CommandContext } from '../../common/command-context';
import { type WebhookDeliveryView } from '../webhook-delivery.view';

/** Queues a failed (or delivered) webhook again, with the same id and body and a fresh retry schedule. */
export class ReplayWebhookDeliveryCommand extends Command<WebhookDeliveryView> {
  constructor(
    readonly deliveryId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}
