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
}

export interface SendResult {
  messageId: string;
  mode: Mode;
  from: string;
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
