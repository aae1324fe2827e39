import { Query } from '@nestjs/cqrs';
import { type WebhookDeliveryStatus } from '../../ports/webhook-delivery-store.port';
import { type WebhookDeliveryPageView } from '../webhook-delivery.view';

/** One page of webhook deliveries (support), oldest event first, optionally of one status. */
export class ListWebhookDeliveriesQuery extends Query<WebhookDeliveryPageView> {
  constructor(
    readonly status: WebhookDeliveryStatus | undefined,
    readonly limit: number,
    readonly cursor: string | undefined,
  ) {
    super();
  }
}
