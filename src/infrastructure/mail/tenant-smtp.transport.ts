import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import {
  MailTransportError,
  type OutgoingMessage,
  type SentMessage,
  type SmtpPolicyRefusal,
  type SmtpServerSettings,
  type SmtpTestOptions,
  type SmtpTestReport,
  type TenantSmtpTransport,
  type TestedSmtpSettings,
} from '../../application/ports/mail-transport.port';
import { type MasterKeyRing } from '../crypto/key-ring';
import { type ConnectionFactory } from './connection-factory';
import { buildMime } from './mime';
import { Deadline } from './smtp/deadline';
import { sendPooled } from './smtp/pooled-send';
import { SessionPool } from './smtp/session-pool';
import { SmtpSession, type StageTimeouts } from './smtp/smtp-session';
import { SEND_BUDGET_MS, SEND_TIMEOUTS, TEST_BUDGET_MS, TEST_TIMEOUTS } from './smtp/timeouts';
import { type SmtpTargetGuard } from './ssrf/smtp-target-guard';

export interface TenantSmtpOptions {
  extraCa: string[];
  clientName: string;
  testTimeouts?: StageTimeouts;
  testBudgetMs?: number;
  sendTimeouts?: StageTimeouts;
  /** Keys the settings' fingerprints; shared by instances (derived from the master key) or random. */
  fingerprintKey?: Buffer;
}

/** The fingerprint key of every instance sharing this master key (HKDF: never the master key itself). */
export function smtpFingerprintKey(ring: MasterKeyRing): Buffer {
  return Buffer.from(hkdfSync('sha256', ring.active, Buffer.alloc(0), 'mail-config/smtp-fingerprint/v1', 32));
}

/** Mode 3 on nodemailer: every session goes through the SSRF guard first, tests and sends alike. */
export class NodemailerTenantSmtpTransport implements TenantSmtpTransport {
  private readonly pool = new SessionPool();
  /** Keys the settings' fingerprint: a digest of a password must not be computable without the key. */
  private readonly fingerprintKey: Buffer;

  constructor(
    private readonly guard: SmtpTargetGuard,
    private readonly factory: ConnectionFactory,
    private readonly options: TenantSmtpOptions,
  ) {
    this.fingerprintKey = options.fingerprintKey ?? randomBytes(32);
  }

  policyRefusal(host: string, port: number): SmtpPolicyRefusal | null {
    return this.guard.refusal(host, port);
  }

  fingerprint({ address, host, port, security, username, password }: TestedSmtpSettings): string {
    return createHmac('sha256', this.fingerprintKey)
      .update(JSON.stringify(['tested/v1', address, host.trim().toLowerCase(), port, security, username, password]))
      .digest('base64url');
  }

  async verify(server: SmtpServerSettings, options: SmtpTestOptions = {}): Promise<SmtpTestReport> {
    const started = Date.now();
    const timeouts = this.options.testTimeouts ?? TEST_TIMEOUTS;
    const deadline = new Deadline(this.options.testBudgetMs ?? TEST_BUDGET_MS);
    const report = (ok: boolean, stage: SmtpTestReport['stage'], message: string): SmtpTestReport => ({
      ok,
      stage,
      message,
      durationMs: Date.now() - started,
    });
    let session: SmtpSession | null = null;
    try {
      session = await this.open(server, deadline, timeouts);
      const secure = session.secure;
      if (options.sendTest) {
        const built = await buildMime(options.sendTest);
        await session.send(built.envelope, built.raw, deadline.limit(timeouts.send));
      } else if (options.senderCheck) {
        await session.checkSender(options.senderCheck, deadline.limit(timeouts.send));
      }
      const how = secure ? 'with TLS' : 'without encryption';
      const sent = options.sendTest
        ? ` and delivered a test message to ${options.sendTest.to.join(', ')}`
        : options.senderCheck
          ? `; the server accepts mail from ${options.senderCheck} (checked without sending anything)`
          : '';
      // Only security "none" can get here without TLS (starttls and tls refuse to go on without it).
      const clear = session.passwordInClear
        ? '. Warning: the password crossed the network unencrypted, readable by anyone on the way; ' +
          'choose starttls or tls if the server offers it'
        : '';
      return report(
        true,
        'done',
        `Connected to ${server.host}:${server.port} ${how}, signed in as ${server.username}${sent}${clear}`,
      );
    } catch (error) {
      if (error instanceof MailTransportError) return report(false, error.stage, error.message);
      throw error;
    } finally {
      session?.quit();
    }
  }

  /** One pool per tenant; any change to the settings (password included) retires its connections. */
  async send(tenantId: string, server: SmtpServerSettings, message: OutgoingMessage): Promise<SentMessage> {
    const timeouts = this.options.sendTimeouts ?? SEND_TIMEOUTS;
    return sendPooled(
      {
        pool: this.pool,
        name: tenantId,
        version: this.poolVersion(server),
        open: (deadline) => this.open(server, deadline, timeouts),
        sendTimeoutMs: timeouts.send,
        budgetMs: SEND_BUDGET_MS,
      },
      message.messageId,
      await buildMime(message),
    );
  }

  close(): void {
    this.pool.closeAll();
  }

  private poolVersion({ host, port, security, username, password }: SmtpServerSettings): string {
    return createHmac('sha256', this.fingerprintKey)
      .update(JSON.stringify([host, port, security, username, password]))
      .digest('base64url');
  }

  private async open(server: SmtpServerSettings, deadline: Deadline, timeouts: StageTimeouts): Promise<SmtpSession> {
    const target = await this.guard.check(server.host, server.port, deadline.limit(timeouts.dns));
    return SmtpSession.open(
      {
        host: target.host,
        port: target.port,
        addresses: target.addresses,
        servername: target.servername,
        security: server.security,
        auth: { user: server.username, pass: server.password },
        extraCa: this.options.extraCa,
        clientName: this.options.clientName,
        timeouts,
      },
      this.factory,
      deadline,
    );
  }
}
