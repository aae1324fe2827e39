import { type Mode } from '../../domain/mail-config/mail-config.types';
import { ApplicationError } from '../common/application-error';
import { type DeliveryStage } from '../ports/mail-transport.port';

export interface SendMessageInput {
  to: string[];
  cc?: string[];
  bcc?: string[];
  replyTo?: string;
  subject: string;
  text?: string;
  html?: string;
  attachments?: Array<{ filename: string; contentType: string; contentBase64: string }>;
  /** This message's From display name, over the tenant's. */
  fromName?: string;
  inReplyTo?: string;
  references?: string[];
  /** Custom `X-…` headers (the allow-list rule: message-headers.ts). */
  headers?: Record<string, string>;
}

/**
 * Where a message went: through the platform relay or into the outbox (mode 1; the outbox is not
 * delivered), or the Gmail API, Microsoft Graph or the tenant's SMTP server.
 */
export type Delivery = 'relay' | 'outbox' | 'gmail' | 'microsoft' | 'smtp';

export interface SendResult {
  messageId: string;
  mode: Mode;
  from: string;
  /** The From's display name (per message, else the tenant's); null: the bare address. */
  fromName: string | null;
  delivery: Delivery;
  fallback: null | { from: 'gmail' | 'microsoft' | 'smtp'; reason: string };
  accepted: string[];
  rejected: string[];
}

export interface SendFailure {
  mode: Mode;
  stage: DeliveryStage;
  message: string;
  /** The data may have reached the server: do not send it again without checking. */
  uncertain: boolean;
}

/** How a delivery ended; stored under its Idempotency-Key and answered again to a retry. */
export type DeliveryOutcome = { ok: true; result: SendResult } | { ok: false; failure: SendFailure };

export interface SendAnswer {
  outcome: DeliveryOutcome;
  /** True when this is the stored answer to an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

/**
 * The Idempotency-Key cannot be honoured for this request: IDEMPOTENCY_IN_PROGRESS (the first
 * request is still running: retry shortly) or IDEMPOTENCY_KEY_REUSED (another message used it).
 */
export class IdempotencyConflictError extends ApplicationError {
  constructor(reason: 'in_progress' | 'mismatch') {
    super(
      reason === 'in_progress' ? 'IDEMPOTENCY_IN_PROGRESS' : 'IDEMPOTENCY_KEY_REUSED',
      reason === 'in_progress'
        ? 'A request with this Idempotency-Key is still being processed; retry when it has finished'
        : 'This Idempotency-Key was already used for a different message',
    );
  }
}
