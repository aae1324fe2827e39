import { type SmtpTestStage } from '../../domain/mail-config/mail-config.types';

/** Counters the SMTP test use case reports; infrastructure implements them with prom-client. */
export const SMTP_TEST_METRICS = Symbol('SMTP_TEST_METRICS');

export interface SmtpTestMetrics {
  /** One call per test that ran: the stage where it stopped (`done` when ok) and whether it passed. */
  smtpTested(stage: SmtpTestStage, ok: boolean, durationSeconds?: number): void;
  /**
   * One call per test of candidate (unsaved) settings, which may point anywhere: `refused` when it
   * wanted the saved password for another server, port or login.
   */
  candidateTested(outcome: CandidateTestOutcome): void;
}

export type CandidateTestOutcome = 'ok' | 'failed' | 'refused';
