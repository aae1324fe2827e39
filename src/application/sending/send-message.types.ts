import { type DeliveryStage } from '../ports/mail-transport.port';
import { type Mode } from '../../domain/mail-config/mail-config.types';

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
  fallback: null | { from: 'gmail' | 'smtp'; reason: string };
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

/** What a send decided; stored under its Idempotency-Key and answered again to a retry. */
export type SendOutcome = { ok: true; result: SendResult } | { ok: false; failure: SendFailure };

/** The Idempotency-Key cannot be honoured for this request. */
export class IdempotencyConflictError extends Error {
  constructor(readonly reason: 'in_progress' | 'mismatch') {
    super(
      reason === 'in_progress'
        ? 'A request with this Idempotency-Key is still being processed; retry when it has finished'
        : 'This Idempotency-Key was already used for a different message',
    );
    this.name = 'IdempotencyConflictError';
  }
}
