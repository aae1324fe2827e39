import { type WebhookDelivery, type WebhookDeliveryStatus } from '../ports/webhook-delivery-store.port';

/** A delivery as support sees it: what was sent, where it stands, why it failed. */
export interface WebhookDeliveryView {
  /** The `webhook-id` header of every attempt. */
  id: string;
  eventId: string;
  tenantId: string;
  type: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
  replays: number;
  lastReplayedBy: string | null;
  /** The JSON body sent on every attempt. */
  payload: unknown;
}

export interface WebhookDeliveryPageView {
  deliveries: WebhookDeliveryView[];
  nextCursor: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toWebhookDeliveryView(d: WebhookDelivery): WebhookDeliveryView {
  return {
    id: d.id,
    eventId: d.eventId,
    tenantId: d.tenantId,
    type: d.type,
    status: d.status,
    attempts: d.attempts,
    createdAt: d.createdAt.toISOString(),
    nextAttemptAt: iso(d.nextAttemptAt),
    lastAttemptAt: iso(d.lastAttemptAt),
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    deliveredAt: iso(d.deliveredAt),
    failedAt: iso(d.failedAt),
    replays: d.replays,
    lastReplayedBy: d.lastReplayedBy,
    payload: JSON.parse(d.body) as unknown,
  };
}
