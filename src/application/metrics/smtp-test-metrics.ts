import { type SmtpTestStage } from '../../domain/mail-config/mail-config.types';

/** Counters the SMTP test use case reports; infrastructure implements them with prom-client. */
export const SMTP_TEST_METRICS = Symbol('SMTP_TEST_METRICS');

export interface SmtpTestMetrics {
  /** One call per test that ran: the stage where it stopped (`done` when ok) and whether it passed. */
  smtpTested(stage: SmtpTestStage, ok: boolean, durationSeconds?: number): void;
}
