import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { type MailConfigState } from '../../domain/mail-config/mail-config.state';
import {
  passedRecently,
  savedPasswordServes,
  type SmtpActivationEvidence,
  type SmtpSecurity,
} from '../../domain/mail-config/mail-config.types';
import { ApplicationError } from '../common/application-error';
import type { CommandContext } from '../common/command-context';
import { logContext } from '../common/log-context';
import { SMTP_PASSWORD_FIELD } from '../mail-config/credential-status';
import { SMTP_TEST_METRICS, type SmtpTestMetrics } from '../metrics/smtp-test-metrics';
import { type Cipher, CIPHER } from '../ports/cipher.port';
import { type Clock, CLOCK } from '../ports/clock.port';
import { TENANT_RATE_BUDGET, type TenantRateBudget } from '../ports/rate-budget.port';
import { TENANT_SMTP_TRANSPORT, type TenantSmtpTransport, type TestedSmtpSettings } from '../ports/mail-transport.port';

/** SMTP settings about to be saved with `activate`; `password` null reuses the saved one. */
export interface SettingsToActivate {
  address: string;
  host: string;
  port: number;
  security: SmtpSecurity;
  username: string;
  password: string | null;
}

/**
 * Activation that is tested first: the evidence the decider needs to let SMTP go live (the
 * fingerprint of exactly what is activated, and a Test run on it unless a recent passing one
 * vouches for it). A failed Test refuses the activation here, before anything is decided or
 * recorded, with the Test's stage and message. Every Test run here spends the tenant's `smtpTest`
 * budget; over it, the activation is refused (RATE_LIMITED) before any connection.
 */
@Injectable()
export class SmtpActivationGate {
  private readonly logger = new Logger(SmtpActivationGate.name);

  constructor(
    @Inject(TENANT_SMTP_TRANSPORT) private readonly transport: TenantSmtpTransport,
    @Inject(CIPHER) private readonly cipher: Cipher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SMTP_TEST_METRICS) private readonly metrics: SmtpTestMetrics,
    @Optional() @Inject(TENANT_RATE_BUDGET) private readonly budget: TenantRateBudget | null = null,
  ) {}

  /** A host or port the policy will always refuse is refused at save time too (400 naming the field). */
  refuseForbiddenTarget(host: string, port: number): void {
    const refusal = this.transport.policyRefusal(host, port);
    if (refusal) throw new ApplicationError('SMTP_TARGET_FORBIDDEN', refusal.message, refusal.field);
  }

  /** PUT …/mode to smtp: the saved configuration. Undefined when the decider has nothing to check. */
  async forSavedConfiguration(
    tenantId: string,
    state: MailConfigState,
    at: string,
    context: CommandContext,
  ): Promise<(SmtpActivationEvidence & { configuredAt: string }) | undefined> {
    const smtp = state.smtp;
    if (state.status !== 'active' || smtp === null || state.mode === 'smtp') return undefined;
    const password = await this.cipher.decrypt(smtp.password, { tenantId, field: SMTP_PASSWORD_FIELD });
    const { address, host, port, security, username } = smtp;
    const settings = { address, host, port, security, username, password };
    const evidence = await this.evidence(tenantId, state, settings, at, context);
    return { ...evidence, configuredAt: smtp.configuredAt };
  }

  /** PUT …/smtp with activate: the settings in the request (the saved password when it may be reused). */
  async forNewSettings(
    tenantId: string,
    state: MailConfigState,
    settings: SettingsToActivate,
    at: string,
    context: CommandContext,
  ): Promise<SmtpActivationEvidence | undefined> {
    if (state.status !== 'active') return undefined;
    let password = settings.password;
    if (password === null) {
      // The decider refuses a missing password; there is nothing to test before that.
      if (!state.smtp || !savedPasswordServes(state.smtp, settings)) return undefined;
      password = await this.cipher.decrypt(state.smtp.password, { tenantId, field: SMTP_PASSWORD_FIELD });
    }
    return this.evidence(tenantId, state, { ...settings, password }, at, context);
  }

  private async evidence(
    tenantId: string,
    state: MailConfigState,
    settings: TestedSmtpSettings,
    at: string,
    context: CommandContext,
  ): Promise<SmtpActivationEvidence> {
    const fingerprint = this.transport.fingerprint(settings);
    if (passedRecently(state.smtp?.lastPass ?? null, fingerprint, at)) return { fingerprint, test: null };
    // Counted only here, where a Test is about to run: the same budget as the Test route, so activation
    // is no way around THROTTLE_SMTP_TEST; a save without a Test costs nothing.
    await this.budget?.spend('smtpTest', tenantId);
    const report = await this.transport.verify(settings, { senderCheck: settings.address });
    this.metrics.smtpTested(report.stage, report.ok, report.durationMs / 1000);
    this.logger.log(
      {
        ...logContext(context, tenantId),
        activation: true,
        host: settings.host,
        port: settings.port,
        outcome: report.ok ? 'ok' : 'failed',
        stage: report.stage,
        durationMs: report.durationMs,
      },
      'SMTP test ran before activation',
    );
    if (!report.ok) {
      throw new ApplicationError(
        'SMTP_TEST_FAILED',
        `SMTP was not activated: the test of this configuration stopped at ${report.stage}: ${report.message}`,
        undefined,
        { stage: report.stage, message: report.message },
      );
    }
    return { fingerprint, test: { ...report, at: this.clock.now().toISOString() } };
  }
}
