import { ApplicationError } from '../common/application-error';

export class WebhooksNotConfiguredError extends ApplicationError {
  constructor() {
    super('WEBHOOKS_NOT_CONFIGURED', 'Webhooks are off: WEBHOOK_URL and WEBHOOK_SECRET are not set');
  }
}

export class WebhookDeliveryNotFoundError extends ApplicationError {
  constructor() {
    super('WEBHOOK_DELIVERY_NOT_FOUND', 'There is no webhook delivery with this id');
  }
}

export class WebhookDeliveryPendingError extends ApplicationError {
  constructor() {
    super('WEBHOOK_DELIVERY_PENDING', 'This delivery is still being attempted; it can be replayed once it failed');
  }
}
