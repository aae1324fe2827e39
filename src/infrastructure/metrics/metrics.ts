import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { type CommandMetrics, type CommandOutcome } from '../../application/mail-config/command-metrics';
import { type GmailMetrics, type TokenRefreshOutcome } from '../../application/metrics/gmail-metrics';
import { type SendMetrics, type SendOutcome } from '../../application/metrics/send-metrics';
import { type CandidateTestOutcome, type SmtpTestMetrics } from '../../application/metrics/smtp-test-metrics';
import { type Mode, MODES, type SmtpTestStage } from '../../domain/mail-config/mail-config.types';

const SEND_OUTCOMES: SendOutcome[] = ['ok', 'failed', 'fallback'];
const FAILING_STAGES: SmtpTestStage[] = ['policy', 'dns', 'connect', 'tls', 'auth', 'send'];
const REFRESH_OUTCOMES: TokenRefreshOutcome[] = ['ok', 'failed', 'revoked'];
/** Label sets bound once per method, route and status; routes are patterns, so this stays small. */
const MAX_BOUND_HTTP_SERIES = 2000;
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20];

/**
 * One registry per service instance, so tests running several instances do not share counters.
 * Every label combination that can occur is created at zero, so a series exists (and `rate()`
 * works) before its first event. Projection gauges are registered on `registry` by the
 * projections module, which reads them from the runner at scrape time.
 */
export class Metrics implements CommandMetrics, SendMetrics, SmtpTestMetrics, GmailMetrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route (the matched pattern, "unmatched" otherwise) and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly commands = new Counter({
    name: 'mail_config_commands_total',
    help: 'Commands by type and outcome (ok, rejected, conflict)',
    labelNames: ['type', 'outcome'],
    registers: [this.registry],
  });
  readonly appendSeconds = new Histogram({
    name: 'event_store_append_duration_seconds',
    help: 'Event store append latency',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly sends = new Counter({
    name: 'mail_config_sends_total',
    help: 'Messages by the mode active when sent and outcome (ok, failed, fallback to mode 1)',
    labelNames: ['mode', 'outcome'],
    registers: [this.registry],
  });
  readonly sendSeconds = new Histogram({
    name: 'mail_config_send_duration_seconds',
    help: 'Time to hand a message to its transport, by mode and outcome',
    labelNames: ['mode', 'outcome'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly smtpTests = new Counter({
    name: 'mail_config_smtp_tests_total',
    help: 'SMTP connection tests by the stage where they stopped (done when ok) and outcome',
    labelNames: ['stage', 'outcome'],
    registers: [this.registry],
  });
  readonly smtpTestSeconds = new Histogram({
    name: 'mail_config_smtp_test_duration_seconds',
    help: 'SMTP connection test duration by outcome',
    labelNames: ['outcome'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly candidateTests = new Counter({
    name: 'mail_config_smtp_candidate_tests_total',
    help: 'Tests of unsaved SMTP settings by outcome (refused: wanted the saved password for another server)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly tokenRefreshes = new Counter({
    name: 'mail_config_gmail_token_refreshes_total',
    help: 'Gmail access-token refreshes by outcome (ok, failed, revoked = invalid_grant)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly revocations = new Counter({
    name: 'mail_config_gmail_revocations_detected_total',
    help: 'Gmail consents found revoked at Google while sending or refreshing',
    registers: [this.registry],
  });

  /** method → route → status → the histogram's child bound to those labels once. */
  private readonly httpSeries = new Map<string, Map<string, Map<number, Histogram.Internal<string>>>>();
  private boundHttpSeries = 0;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const mode of MODES) for (const outcome of SEND_OUTCOMES) this.sends.inc({ mode, outcome }, 0);
    for (const stage of FAILING_STAGES) this.smtpTests.inc({ stage, outcome: 'failed' }, 0);
    this.smtpTests.inc({ stage: 'done', outcome: 'ok' }, 0);
    for (const outcome of ['ok', 'failed', 'refused'] as const) this.candidateTests.inc({ outcome }, 0);
    for (const outcome of REFRESH_OUTCOMES) this.tokenRefreshes.inc({ outcome }, 0);
    this.revocations.inc(0);
  }

  record(commandType: string, outcome: CommandOutcome): void {
    this.commands.inc({ type: commandType, outcome });
  }

  appendLatency(seconds: number): void {
    this.appendSeconds.observe(seconds);
  }

  messageSent(mode: Mode, outcome: SendOutcome, durationSeconds?: number): void {
    this.sends.inc({ mode, outcome });
    if (durationSeconds !== undefined) this.sendSeconds.observe({ mode, outcome }, durationSeconds);
  }

  smtpTested(stage: SmtpTestStage, ok: boolean, durationSeconds?: number): void {
    const outcome = ok ? 'ok' : 'failed';
    this.smtpTests.inc({ stage, outcome });
    if (durationSeconds !== undefined) this.smtpTestSeconds.observe({ outcome }, durationSeconds);
  }

  candidateTested(outcome: CandidateTestOutcome): void {
    this.candidateTests.inc({ outcome });
  }

  tokenRefreshed(outcome: TokenRefreshOutcome): void {
    this.tokenRefreshes.inc({ outcome });
  }

  revocationDetected(): void {
    this.revocations.inc();
  }

  /** For the HTTP middleware in interfaces/http (which owns how a route is named). */
  httpRequestObserved(method: string, route: string, status: number, seconds: number): void {
    let byRoute = this.httpSeries.get(method);
    if (!byRoute) this.httpSeries.set(method, (byRoute = new Map()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map()));
    let series = byStatus.get(status);
    if (!series) {
      series = this.httpDuration.labels(method, route, String(status));
      if (this.boundHttpSeries < MAX_BOUND_HTTP_SERIES) {
        byStatus.set(status, series);
        this.boundHttpSeries++;
      }
    }
    series.observe(seconds);
  }
}
