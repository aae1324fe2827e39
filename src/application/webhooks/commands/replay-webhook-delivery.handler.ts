import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '../../ports/clock.port';
import { WEBHOOK_DELIVERY_STORE, type WebhookDeliveryStore } from '../../ports/webhook-delivery-store.port';
import { WebhookDispatcher } from '../webhook-dispatcher';
import { toWebhookDeliveryView, type WebhookDeliveryView } from '../webhook-delivery.view';
import {
  WebhookDeliveryNotFoundError,
  WebhookDeliveryPendingError,
  WebhooksNotConfiguredError,
} from '../webhook-errors';
import { ReplayWebhookDeliveryCommand } from './replay-webhook-delivery.command';

@CommandHandler(ReplayWebhookDeliveryCommand)
export class ReplayWebhookDeliveryHandler implements ICommandHandler<ReplayWebhookDeliveryCommand> {
  constructor(
    @Inject(WEBHOOK_DELIVERY_STORE) private readonly store: WebhookDeliveryStore | null,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  async execute({ deliveryId, context }: ReplayWebhookDeliveryCommand): Promise<WebhookDeliveryView> {
    if (!this.store) throw new WebhooksNotConfiguredError();
    const before = await this.store.get(deliveryId);
    if (!before) throw new WebhookDeliveryNotFoundError();
    if (before.status === 'pending') throw new WebhookDeliveryPendingError();
    const replayed = await this.store.replay(deliveryId, this.clock.now(), context.actor);
    if (!replayed) throw new WebhookDeliveryNotFoundError();
    this.dispatcher.wake();
    return toWebhookDeliveryView(replayed);
  }
}
