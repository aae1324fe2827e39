import { isIP } from 'node:net';
import {
  type DefaultRelayTransport,
  type OutgoingMessage,
  type SentMessage,
} from '../../application/ports/mail-transport.port';
import { type ConnectionFactory } from './connection-factory';
import { buildMime } from './mime';
import { sendPooled } from './smtp/pooled-send';
import { SessionPool } from './smtp/session-pool';
import { type SessionPlan, SmtpSession } from './smtp/smtp-session';
import { SEND_BUDGET_MS, SEND_TIMEOUTS } from './smtp/timeouts';

/**
 * Mode 1 through the platform relay (DEFAULT_RELAY_URL). The relay is the operator's own
 * server, so the tenant SSRF policy does not apply; smtps:// is implicit TLS, smtp:// uses
 * STARTTLS when the relay offers it. Credentials may be given in the URL.
 */
export class SmtpRelayTransport implements DefaultRelayTransport {
  readonly delivery = 'relay' as const;
  private readonly pool = new SessionPool();
  private readonly plan: SessionPlan;

  constructor(
    relayUrl: string,
    private readonly factory: ConnectionFactory,
    options: { extraCa: string[]; clientName: string },
  ) {
    const url = new URL(relayUrl);
    const secure = url.protocol === 'smtps:';
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.plan = {
      host,
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      addresses: [host],
      servername: isIP(host) ? null : host,
      security: secure ? 'tls' : 'opportunistic',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : null,
      extraCa: options.extraCa,
      clientName: options.clientName,
      timeouts: SEND_TIMEOUTS,
    };
  }

  async send(message: OutgoingMessage): Promise<SentMessage> {
    return sendPooled(
      {
        pool: this.pool,
        name: 'relay',
        version: '1',
        open: (deadline) => SmtpSession.open(this.plan, this.factory, deadline),
        sendTimeoutMs: SEND_TIMEOUTS.send,
        budgetMs: SEND_BUDGET_MS,
      },
      message.messageId,
      await buildMime(message),
    );
  }

  close(): void {
    this.pool.closeAll();
  }
}
