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
  noSignInOffered,
  scrub,
  secretForms,
  senderCheckFailure,
  sendFailure,
  type SmtpError,
} from './smtp-failures';

/**
 * State nodemailer keeps on the connection that the typings do not show. `_sendCommand` and
 * `_responseActions` are its own command queue: the sender check uses them to say MAIL FROM and
 * RCPT TO without DATA, which its public API cannot (send() always goes on to DATA).
 */
type ConnectionState = SMTPConnection & {
  upgrading?: boolean;
  allowsAuth?: boolean;
  _ehloLines?: string[];
  _sendCommand(line: string): void;
  _responseActions: Array<(reply: string) => void>;
};
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
  /** The password was sent on a connection without TLS (only possible with security "none"). */
  passwordInClear = false;

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

  /**
   * The Test's sender check: MAIL FROM and RCPT TO with the sender address, then RSET, so a server
   * that will refuse the From address says so now, and no message is ever handed over.
   */
  async checkSender(address: string, timeoutMs: number): Promise<void> {
    if (/[\r\n<>]/.test(address)) throw new MailTransportError('send', 'The sender address is not a valid address');
    await this.step<void>(
      timeoutMs,
      ({ ok, fail }) =>
        this.command(`MAIL FROM:<${address}>`, (mail) => {
          if (!mail.startsWith('2')) return fail(envelopeError(mail, 'MAIL FROM'));
          this.command(`RCPT TO:<${address}>`, (rcpt) => {
            if (!rcpt.startsWith('2')) return fail(envelopeError(rcpt, 'RCPT TO'));
            this.conn.reset((error) => (error ? fail(error) : ok()));
          });
        }),
      (error, firedMs) => senderCheckFailure(error, address, this.context, firedMs),
    );
  }

  async send(
    envelope: { from: string; to: string[] },
    raw: Buffer,
    timeoutMs: number,
  ): Promise<SMTPConnection.SentMessageInfo> {
    const info = await this.step<SMTPConnection.SentMessageInfo>(
      timeoutMs,
      ({ ok, fail }) => this.conn.send(envelope, raw, (error, result) => (error ? fail(error) : ok(result))),
      (error, firedMs) => {
        const handedOver =
          typeof this.conn.lastServerResponse === 'string' && this.conn.lastServerResponse.startsWith('354');
        return sendFailure(error, handedOver, this.context, firedMs);
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
      (error, firedMs) => {
        // A server that offers neither STARTTLS nor AUTH is not a submission server at all: say
        // that, rather than advice about TLS ports that leads nowhere.
        if (error?.command === 'STARTTLS' && !this.offers('AUTH')) return noSignInOffered(this.context, 'tls');
        // Implicit TLS: nothing is said before the handshake ends, so not secure yet means "in TLS".
        const inTls =
          !!this.conn.upgrading || error?.code === 'ETLS' || (this.plan.security === 'tls' && !this.conn.secure);
        return handshakeFailure(error, inTls, this.conn.lastServerResponse !== false, this.context, firedMs);
      },
    ).then(() => {
      if (this.plan.security === 'starttls' && !this.conn.secure) {
        if (!this.offers('AUTH')) throw noSignInOffered(this.context, 'tls');
        throw new MailTransportError(
          'tls',
          `The server does not offer STARTTLS on port ${this.plan.port} — try port 465 with TLS`,
        );
      }
    });
  }

  private login(auth: { user: string; pass: string }, timeoutMs: number): Promise<void> {
    if (!this.conn.allowsAuth) {
      return Promise.reject(
        authNotOffered(this.context, { secure: this.conn.secure, starttlsOffered: this.offers('STARTTLS') }),
      );
    }
    return this.step<void>(
      timeoutMs,
      ({ ok, fail }) =>
        this.conn.login(auth, (error) => {
          if (error) return fail(error);
          this.passwordInClear = !this.conn.secure;
          ok();
        }),
      (error, firedMs) => authFailure(error, this.context, firedMs),
    );
  }

  /** Whether the server's last EHLO answer lists the extension. */
  private offers(extension: string): boolean {
    return (this.conn._ehloLines ?? []).some((line) => line.toUpperCase().split(/[\s=]/)[0] === extension);
  }

  /** One raw command on nodemailer's queue; the reply comes back as the server sent it. */
  private command(line: string, onReply: (reply: string) => void): void {
    this.conn._responseActions.push(onReply);
    this.conn._sendCommand(line);
  }

  /**
   * The limit that fired. nodemailer's own timers (greeting, connection, socket inactivity) may
   * fire before the stage's, and a message must name the one that did.
   */
  private firedTimeout(error: SmtpError | null, own: number): number {
    if (!error) return own;
    if (/greeting never received/i.test(error.message)) return this.plan.timeouts.greeting;
    if (/connection timeout/i.test(error.message)) return handshakeBudget(this.plan);
    if (/^timeout$/i.test(error.message)) return Math.max(this.plan.timeouts.auth, this.plan.timeouts.send);
    return own;
  }

  /** Runs one stage with its own time limit; a timeout closes the session. */
  private step<T>(
    timeoutMs: number,
    start: (settle: Settle<T>) => void,
    toFailure: (error: SmtpError | null, firedMs: number) => MailTransportError,
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
          const timedOut = error === null || (error as SmtpError).code === 'ETIMEDOUT';
          const failure = timedOut
            ? toFailure(null, this.firedTimeout(error as SmtpError | null, timeoutMs))
            : toFailure(error as SmtpError, timeoutMs);
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

function envelopeError(reply: string, command: 'MAIL FROM' | 'RCPT TO'): SmtpError {
  return Object.assign(new Error(`${command} refused`), {
    code: 'EENVELOPE',
    command,
    response: reply,
    responseCode: Number(reply.slice(0, 3)) || undefined,
  });
}
