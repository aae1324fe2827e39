import { type Mode } from '../../domain/mail-config/mail-config.types';

/** Counters the send use case reports; infrastructure implements them with prom-client. */
export const SEND_METRICS = Symbol('SEND_METRICS');

/**
 * ok: delivered in the active mode; failed: not delivered (the 502 case); fallback: the active
 * mode could not be used (Gmail grant gone) and the message went out through mode 1.
 */
export type SendOutcome = 'ok' | 'failed' | 'fallback';

export interface SendMetrics {
  /**
   * One call per message (an idempotent replay sends nothing and is not counted). `mode` is the
   * tenant's active mode when the send started, so a fallback is counted under `gmail`.
   */
  messageSent(mode: Mode, outcome: SendOutcome, durationSeconds?: number): void;
}
