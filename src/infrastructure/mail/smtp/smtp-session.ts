import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { MailTransportError } from '../../../application/ports/mail-transport.port';
import { type ConnectionFactory } from '../connection-factory';
import { type Deadline } from './deadline';
import { connectionOptions, handshakeBudget, openSocket } from './session-connection';
import { type SessionPlan } from './session-plan';
export type { SessionPlan, SessionSecurity, StageTimeouts } from './session-plan';
import {
  authFailure,
  authNotOffered,
  type FailureContext,
  handshakeFailure,
  scrub,
  secretForms,
  sendFailure,
} from './smtp-failures';

/** State nodemailer keeps on the connection that the typings do not show. */
type ConnectionState = SMTPConnection & { upgrading?: boolean; allowsAuth?: boolean };
type Settle<T> = { ok: (value: T) => void; fail: (error: Error | null) => void };

/**
 * One SMTP session on nodemailer's SMTPConnection, driven stage by stage (connect → tls →
 * auth → send) so every failure is attributed to the stage it happened in. The socket comes
 * from the connection factory, already connected to a checked address: nodemailer never
 * resolves or connects anything itself.
 */
export class SmtpSession {
  private readonly conn: ConnectionState;
  private readonly context: FailureContext;
  private pending: ((error: Error | null) => void) | null = null;
  private closed = false;
  messagesSent = 0;

  private constructor(
    conn: SMTPConnection,
    private readonly plan: SessionPlan,
  ) {
    this.conn = conn as ConnectionState;
    this.context = { host: plan.host, port: plan.port, security: plan.security };
    // nodemailer emits 'error' for every failure; without a listener one would crash the process.
    conn.on('error', (error) => {
      this.closed = true;
      this.pending?.(error);
    });
    conn.on('end', () => {
      this.closed = true;
      this.pending?.(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' }));
    });
  }

  static async open(plan: SessionPlan, factory: ConnectionFactory, deadline: Deadline): Promise<SmtpSession> {
    const socket = await openSocket(plan, factory, deadline);
    const session = new SmtpSession(new SMTPConnection(connectionOptions(plan, socket)), plan);
    try {
      await session.handshake(deadline.limit(handshakeBudget(plan)));
      if (plan.auth) await session.login(plan.auth, deadline.limit(plan.timeouts.auth));
    } catch (error) {
      session.close();
      throw error;
    }
    return session;
  }

  get usable(): boolean {
    return !this.closed;
  }

  get secure(): boolean {
    return this.conn.secure;
  }

  async send(
    envelope: { from: string; to: string[] },
    raw: Buffer,
    timeoutMs: number,
  ): Promise<SMTPConnection.SentMessageInfo> {
    const info = await this.step<SMTPConnection.SentMessageInfo>(
      timeoutMs,
      ({ ok, fail }) => this.conn.send(envelope, raw, (error, result) => (error ? fail(error) : ok(result))),
      (error) => {
        const handedOver =
          typeof this.conn.lastServerResponse === 'string' && this.conn.lastServerResponse.startsWith('354');
        return sendFailure(error, handedOver, this.context, timeoutMs);
      },
    );
    this.messagesSent++;
    return info;
  }

  /** Ends the session politely; the socket is destroyed shortly after if the server does not answer. */
  quit(): void {
    if (this.closed) return;
    try {
      this.conn.quit();
    } catch {
      /* already gone */
    }
    setTimeout(() => this.close(), 2000).unref();
  }

  close(): void {
    this.closed = true;
    this.pending = null;
    this.conn.close();
  }

  private handshake(timeoutMs: number): Promise<void> {
    return this.step<void>(
      timeoutMs,
      ({ ok }) => this.conn.connect(() => ok()),
      (error) => {
        // Implicit TLS: nothing is said before the handshake ends, so not secure yet means "in TLS".
        const inTls =
          !!this.conn.upgrading || error?.code === 'ETLS' || (this.plan.security === 'tls' && !this.conn.secure);
        return handshakeFailure(error, inTls, this.conn.lastServerResponse !== false, this.context, timeoutMs);
      },
    ).then(() => {
      if (this.plan.security === 'starttls' && !this.conn.secure) {
        throw new MailTransportError(
          'tls',
          `The server does not offer STARTTLS on port ${this.plan.port} — try port 465 with TLS`,
        );
      }
    });
  }

  private login(auth: { user: string; pass: string }, timeoutMs: number): Promise<void> {
    if (!this.conn.allowsAuth) return Promise.reject(authNotOffered(this.context));
    return this.step<void>(
      timeoutMs,
      ({ ok, fail }) => this.conn.login(auth, (error) => (error ? fail(error) : ok())),
      (error) => authFailure(error, this.context, timeoutMs),
    );
  }

  /** Runs one stage with its own time limit; a timeout closes the session. */
  private step<T>(
    timeoutMs: number,
    start: (settle: Settle<T>) => void,
    toFailure: (error: (Error & { code?: string }) | null) => MailTransportError,
  ): Promise<T> {
    const secrets = this.plan.auth ? secretForms(this.plan.auth.user, this.plan.auth.pass) : [];
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const settle = (action: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending = null;
        action();
      };
      const fail = (error: Error | null) =>
        settle(() => {
          // nodemailer's own timers (greeting, socket inactivity) mean the same as ours: no answer in time.
          const failure = toFailure((error as { code?: string } | null)?.code === 'ETIMEDOUT' ? null : error);
          reject(
            new MailTransportError(failure.stage, scrub(failure.message, secrets), { uncertain: failure.uncertain }),
          );
        });
      const timer = setTimeout(() => {
        fail(null);
        this.close();
      }, timeoutMs);
      if (this.closed) return fail(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' }));
      this.pending = fail;
      try {
        start({ ok: (value) => settle(() => resolve(value)), fail });
      } catch (error) {
        fail(error as Error);
      }
    });
  }
}
