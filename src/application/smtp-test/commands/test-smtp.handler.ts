import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MailConfigError } from '../../../domain/mail-config/mail-config.errors';
import { type MailConfigState, requireActive } from '../../../domain/mail-config/mail-config.state';
import { smtpDefaults } from '../../../domain/mail-config/mail-config.types';
import type { CommandContext } from '../../common/command-context';
import { logContext } from '../../common/log-context';
import { SMTP_PASSWORD_FIELD } from '../../mail-config/credential-status';
import { DecideAndAppend } from '../../mail-config/decide-and-append';
import { PASSWORD_FOR_ANOTHER_SERVER, savedPasswordServes } from '../../../domain/mail-config/mail-config.types';
import { StateReader } from '../../mail-config/state-reader';
import { SMTP_TEST_METRICS, type SmtpTestMetrics } from '../../metrics/smtp-test-metrics';
import { type Cipher, CIPHER } from '../../ports/cipher.port';
import { type Clock, CLOCK } from '../../ports/clock.port';
import { ID_GENERATOR, type IdGenerator } from '../../ports/id.port';
import {
  type OutgoingMessage,
  type SmtpServerSettings,
  type SmtpTestReport,
  TENANT_SMTP_TRANSPORT,
  type TenantSmtpTransport,
} from '../../ports/mail-transport.port';
import { SmtpCandidate, TestSmtpCommand } from './test-smtp.command';

/**
 * Runs the staged check (policy → dns → connect → tls → auth → send) on the saved configuration
 * or on a candidate. A test of the saved configuration is recorded for the view and the
 * dashboard; a candidate's is not, since nothing was saved.
 */
@CommandHandler(TestSmtpCommand)
export class TestSmtpHandler implements ICommandHandler<TestSmtpCommand> {
  private readonly logger = new Logger(TestSmtpHandler.name);

  constructor(
    private readonly reader: StateReader,
    private readonly commands: DecideAndAppend,
    @Inject(TENANT_SMTP_TRANSPORT) private readonly transport: TenantSmtpTransport,
    @Inject(CIPHER) private readonly cipher: Cipher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(SMTP_TEST_METRICS) private readonly metrics: SmtpTestMetrics,
  ) {}

  async execute({ tenantId, candidate, sendTo, context: ctx }: TestSmtpCommand): Promise<SmtpTestReport> {
    const { state } = await this.reader.load(tenantId);
    requireActive(state);
    const saved = state.smtp;
    if (candidate === null && saved === null) {
      throw new MailConfigError(
        'SMTP_NOT_CONFIGURED',
        'There is no saved SMTP configuration to test; send the settings to test in the body',
      );
    }
    const { address, server } = candidate
      ? await this.candidate(tenantId, state, candidate, ctx)
      : await this.savedServer(tenantId, state);
    // Without sendTo the sender is still checked: MAIL FROM and RCPT TO, then RSET, nothing sent.
    const report = await this.transport.verify(
      server,
      sendTo ? { sendTest: this.testMessage(address, sendTo) } : { senderCheck: address },
    );
    this.metrics.smtpTested(report.stage, report.ok, report.durationMs / 1000);
    if (candidate) this.metrics.candidateTested(report.ok ? 'ok' : 'failed');
    // Host and port are logged for every test: candidates may point anywhere, so each one leaves a trace.
    this.logger.log(
      {
        ...logContext(ctx, tenantId),
        saved: candidate === null,
        host: server.host,
        port: server.port,
        outcome: report.ok ? 'ok' : 'failed',
        ok: report.ok,
        stage: report.stage,
        durationMs: report.durationMs,
      },
      'SMTP test ran',
    );
    if (candidate === null) {
      const fingerprint = this.transport.fingerprint({ ...server, address });
      await this.record(tenantId, saved!.configuredAt, { ...report, fingerprint }, ctx);
    }
    return report;
  }

  private async savedServer(
    tenantId: string,
    state: MailConfigState,
  ): Promise<{ address: string; server: SmtpServerSettings }> {
    const smtp = state.smtp!;
    const password = await this.cipher.decrypt(smtp.password, { tenantId, field: SMTP_PASSWORD_FIELD });
    return {
      address: smtp.address,
      server: { host: smtp.host, port: smtp.port, security: smtp.security, username: smtp.username, password },
    };
  }

  private async candidate(
    tenantId: string,
    state: MailConfigState,
    c: SmtpCandidate,
    ctx: CommandContext,
  ): Promise<{ address: string; server: SmtpServerSettings }> {
    const { security, username } = smtpDefaults(c);
    let password = c.password;
    if (password === undefined) {
      const saved = state.smtp;
      if (!saved || !savedPasswordServes(saved, { host: c.host, port: c.port, username })) {
        this.metrics.candidateTested('refused');
        this.logger.warn(
          { ...logContext(ctx, tenantId), host: c.host, port: c.port, outcome: 'refused' },
          'SMTP test refused: the saved password is not sent to another host, port or username',
        );
        throw new MailConfigError(
          'SMTP_PASSWORD_REQUIRED',
          saved ? PASSWORD_FOR_ANOTHER_SERVER : 'password is required when no SMTP configuration is saved yet',
          'password',
        );
      }
      password = await this.cipher.decrypt(saved.password, { tenantId, field: SMTP_PASSWORD_FIELD });
    }
    return {
      address: c.address,
      server: {
        host: c.host,
        port: c.port,
        security,
        username,
        password,
      },
    };
  }

  /** Recorded against the configuration that was tested; a newer one saved meanwhile is left alone. */
  private async record(
    tenantId: string,
    configuredAt: string,
    report: SmtpTestReport & { fingerprint: string },
    ctx: CommandContext,
  ): Promise<void> {
    const { state } = await this.reader.load(tenantId);
    if (state.smtp?.configuredAt !== configuredAt) return;
    await this.commands.handle(
      tenantId,
      { type: 'RecordSmtpTest', data: { ...report, at: this.clock.now().toISOString() } },
      ctx,
    );
  }

  private testMessage(from: string, to: string): OutgoingMessage {
    return {
      messageId: `<${this.ids.next()}@${from.split('@')[1]}>`,
      from,
      to: [to],
      cc: [],
      bcc: [],
      subject: 'Test message: your SMTP settings work',
      text: `This message was sent by the help desk to check the SMTP settings of ${from}. No action is needed.`,
      attachments: [],
    };
  }
}
