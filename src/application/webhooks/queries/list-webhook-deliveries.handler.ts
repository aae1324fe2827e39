import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InvalidCursorError } from '../../mail-config/history';
import { WEBHOOK_DELIVERY_STORE, type WebhookDeliveryStore } from '../../ports/webhook-delivery-store.port';
import { toWebhookDeliveryView, type WebhookDeliveryPageView } from '../webhook-delivery.view';
import { WebhooksNotConfiguredError } from '../webhook-errors';
import { ListWebhookDeliveriesQuery } from './list-webhook-deliveries.query';

const INT64_MAX = 2n ** 63n - 1n;
const encodeCursor = (position: bigint) => Buffer.from(`w:${position}`).toString('base64url');
function decodeCursor(cursor: string): bigint {
  const m = /^w:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m || BigInt(m[1]) > INT64_MAX) throw new InvalidCursorError();
  return BigInt(m[1]);
}

@QueryHandler(ListWebhookDeliveriesQuery)
export class ListWebhookDeliveriesHandler implements IQueryHandler<ListWebhookDeliveriesQuery> {
  constructor(@Inject(WEBHOOK_DELIVERY_STORE) private readonly store: WebhookDeliveryStore | null) {}

  async execute({ status, limit, cursor }: ListWebhookDeliveriesQuery): Promise<WebhookDeliveryPageView> {
    if (!this.store) throw new WebhooksNotConfiguredError();
    const page = await this.store.list({ status, limit, after: cursor ? decodeCursor(cursor) : undefined });
    return {
      deliveries: page.deliveries.map(toWebhookDeliveryView),
      nextCursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter),
    };
  }
}
