import { MailTransportError } from '../../../application/ports/mail-transport.port';
import { seconds } from './deadline';

/**
 * Turns what nodemailer and the socket report into messages a tenant can act on. Server replies
 * are quoted (shortened) because they often say exactly what is wrong; secrets are removed from
 * every message by the session before it leaves (see scrub()).
 */
export interface FailureContext {
  host: string;
  port: number;
  security: string;
}

export type SmtpError = Error & { code?: string; command?: string; response?: string; responseCode?: number };

const label = (c: FailureContext) => `${c.host}:${c.port}`;

export function serverSaid(error: SmtpError | null | undefined): string {
  const response = error?.response?.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  return response ? ` (the server said: "${response.slice(0, 200)}")` : '';
}

export function connectFailure(error: SmtpError, c: FailureContext, timeoutMs: number): MailTransportError {
  switch (error.code) {
    case 'ECONNREFUSED':
      return new MailTransportError(
        'connect',
        `Nothing accepts connections on ${label(c)} (connection refused); check the host and the port`,
      );
    case 'ETIMEDOUT':
      return new MailTransportError(
        'connect',
        `Connecting to ${label(c)} timed out after ${seconds(timeoutMs)}; ` +
          'check the host, the port, and that the server accepts connections from the internet',
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new MailTransportError('connect', `${label(c)} cannot be reached from here (no route to host)`);
    case 'ECONNRESET':
      return new MailTransportError('connect', `${label(c)} reset the connection as soon as it was opened`);
    default:
      return new MailTransportError('connect', `Could not connect to ${label(c)} (${error.code ?? error.message})`);
  }
}

/** The connection is open; something went wrong before the session was ready for AUTH. */
export function handshakeFailure(
  error: SmtpError | null,
  inTls: boolean,
  greeted: boolean,
  c: FailureContext,
  timeoutMs: number,
): MailTransportError {
  if (inTls) return tlsFailure(error, c, timeoutMs);
  if (!error) {
    return new MailTransportError(
      'connect',
      greeted
        ? `${label(c)} stopped answering during the SMTP handshake (no reply within ${seconds(timeoutMs)})`
        : `${label(c)} accepted the connection but sent no SMTP greeting within ${seconds(timeoutMs)}; ` +
            'check that this is the SMTP port of a mail server',
    );
  }
  if (error.code === 'EPROTOCOL') {
    return new MailTransportError('connect', `${label(c)} did not answer like an SMTP server${serverSaid(error)}`);
  }
  return new MailTransportError(
    'connect',
    `${label(c)} closed the SMTP session before it was ready${serverSaid(error)}`,
  );
}

export function tlsFailure(error: SmtpError | null, c: FailureContext, timeoutMs: number): MailTransportError {
  if (!error) {
    return new MailTransportError(
      'tls',
      c.security === 'tls'
        ? `The TLS handshake with ${label(c)} did not complete within ${seconds(timeoutMs)}; ` +
            'if this port expects STARTTLS, choose security starttls (usually port 587)'
        : `The STARTTLS handshake with ${label(c)} did not complete within ${seconds(timeoutMs)}`,
    );
  }
  if (error.command === 'STARTTLS' && error.response) {
    return new MailTransportError(
      'tls',
      `The server does not offer STARTTLS on port ${c.port} — try port 465 with TLS${serverSaid(error)}`,
    );
  }
  const m = error.message;
  if (/self[- ]signed/i.test(m)) {
    return new MailTransportError(
      'tls',
      `The certificate of ${c.host} is self-signed and not trusted; ` +
        'the server needs a certificate from a trusted authority',
    );
  }
  if (/altnames|does not match|Hostname\/IP/i.test(m)) {
    return new MailTransportError(
      'tls',
      `The certificate presented by the server is not valid for ${c.host}; ` +
        'use the host name the certificate was issued for',
    );
  }
  if (/expired/i.test(m)) return new MailTransportError('tls', `The certificate of ${c.host} has expired`);
  if (/not yet valid/i.test(m)) return new MailTransportError('tls', `The certificate of ${c.host} is not valid yet`);
  if (/unable to (get|verify)|issuer|certificate chain/i.test(m)) {
    return new MailTransportError(
      'tls',
      `The certificate of ${c.host} was not issued by a trusted authority ` +
        '(or the server does not send its intermediate certificates)',
    );
  }
  if (
    /wrong version number|packet length|unknown protocol|http request|ECONNRESET|closed/i.test(m) &&
    c.security === 'tls'
  ) {
    return new MailTransportError(
      'tls',
      `The server on port ${c.port} does not speak TLS right away; choose security starttls (usually port 587)`,
    );
  }
  return new MailTransportError(
    'tls',
    `The TLS handshake with ${label(c)} failed: ${m.replace(/^Error initiating TLS - /, '').slice(0, 200)}`,
  );
}

/**
 * Exchange Online without basic authentication for client submission: `5.7.30` ("Basic
 * authentication is not supported for Client Submission") or `5.7.139` ("basic authentication is
 * disabled"). No password will ever work there; the mailbox needs OAuth.
 */
const MICROSOFT_NO_PASSWORDS = /\b5\.7\.(30|139)\b/;
/** Gmail refusing a password: `5.7.8` (not accepted), `5.7.9` (app password required), or a 534. */
const GMAIL_PASSWORD_REFUSED = /\b5\.7\.(8|9|14)\b/;

function isGmail(error: SmtpError, c: FailureContext): boolean {
  return (
    /(^|\.)(gmail|googlemail)\.com$/i.test(c.host) ||
    /(^|\.)(smtp|smtp-relay)\.google\.com$/i.test(c.host) ||
    /support\.google\.com\/(mail|accounts)/i.test(error.response ?? '')
  );
}

/** A provider that no longer takes this password, said in words that name the way out. */
export function providerAuthFailure(error: SmtpError, c: FailureContext): MailTransportError | null {
  const reply = error.response ?? '';
  if (MICROSOFT_NO_PASSWORDS.test(reply)) {
    return new MailTransportError(
      'auth',
      'This mailbox is on Microsoft 365, which no longer accepts passwords for sending (basic authentication ' +
        `is disabled)${serverSaid(error)}; use the Microsoft 365 mode and authorize the mailbox instead`,
    );
  }
  if ((GMAIL_PASSWORD_REFUSED.test(reply) || error.responseCode === 534) && isGmail(error, c)) {
    return new MailTransportError(
      'auth',
      `Gmail refused the password${serverSaid(error)}; use the Gmail mode, or create an app password in the ` +
        'Google account (2-Step Verification on) and enter it here',
    );
  }
  return null;
}

export function authFailure(error: SmtpError | null, c: FailureContext, timeoutMs: number): MailTransportError {
  if (!error) return new MailTransportError('auth', `The server did not answer the login within ${seconds(timeoutMs)}`);
  const provider = providerAuthFailure(error, c);
  if (provider) return provider;
  switch (error.responseCode) {
    case 535:
      // The server's words stay: "rejected the password" alone sends a tenant retyping a correct
      // password forever when the server meant "sign-in of this kind is disabled".
      return new MailTransportError(
        'auth',
        `Authentication failed: the server rejected the username or password${serverSaid(error)}`,
      );
    case 534:
      return new MailTransportError(
        'auth',
        `Authentication failed: the server wants another sign-in method, often an app password${serverSaid(error)}`,
      );
    case 538:
    case 530:
      return new MailTransportError(
        'auth',
        `Authentication failed: the server requires an encrypted connection first${serverSaid(error)}`,
      );
    case 454:
      return new MailTransportError(
        'auth',
        `Authentication is temporarily unavailable on the server; try again later${serverSaid(error)}`,
      );
    default:
      return new MailTransportError('auth', `Authentication failed${serverSaid(error)}`);
  }
}

/**
 * No AUTH in the server's EHLO answer. Without TLS a server may keep AUTH back until STARTTLS;
 * otherwise it takes mail from anyone who can reach it, and that is what the message says.
 */
export function authNotOffered(
  c: FailureContext,
  seen: { secure: boolean; starttlsOffered: boolean },
): MailTransportError {
  if (!seen.secure && seen.starttlsOffered) {
    return new MailTransportError(
      'auth',
      `The server on port ${c.port} offers authentication only after STARTTLS; choose security starttls`,
    );
  }
  return noSignInOffered(c, 'auth');
}

export function noSignInOffered(c: FailureContext, stage: 'auth' | 'tls'): MailTransportError {
  const offers =
    stage === 'tls' ? 'neither encryption (STARTTLS) nor authentication (AUTH)' : 'no authentication (AUTH)';
  return new MailTransportError(
    stage,
    `This server accepts mail without signing in: ${label(c)} offers ${offers}. ` +
      'Such a server is a relay that trusts the network it runs on (or a test server), not a mail ' +
      "provider's submission service: it cannot check a username or password, and mail sent through it " +
      'is not tied to any account. Use the submission server of your mail provider (usually port 587 ' +
      'with STARTTLS or 465 with TLS), which asks for the password',
  );
}

/** The Test's sender check (MAIL FROM and RCPT TO with the sender address, then RSET). */
export function senderCheckFailure(
  error: SmtpError | null,
  address: string,
  c: FailureContext,
  timeoutMs: number,
): MailTransportError {
  if (!error) {
    return new MailTransportError(
      'send',
      `The server did not answer when asked to take mail from ${address} (no reply within ${seconds(timeoutMs)})`,
    );
  }
  const provider = MICROSOFT_NO_PASSWORDS.test(error.response ?? '') ? providerAuthFailure(error, c) : null;
  if (provider) return provider;
  if (error.command === 'MAIL FROM') {
    return new MailTransportError(
      'send',
      `The server refused ${address} as the sender${serverSaid(error)}; ` +
        'the login may not send from this address: use an address this mailbox may send as',
    );
  }
  if (error.command === 'RCPT TO') {
    return new MailTransportError(
      'send',
      `The server accepted ${address} as the sender but refused it as a recipient${serverSaid(error)}`,
    );
  }
  return new MailTransportError(
    'send',
    `The connection to ${label(c)} was lost while checking the sender address${serverSaid(error)}`,
  );
}

/** `handedOver`: the server had said 354 and the message data was on its way. */
export function sendFailure(
  error: SmtpError | null,
  handedOver: boolean,
  c: FailureContext,
  timeoutMs: number,
): MailTransportError {
  const lost = !error || ['ETIMEDOUT', 'ECONNECTION', 'ESOCKET'].includes(error.code ?? '');
  if (lost && handedOver) {
    return new MailTransportError(
      'send',
      `The connection to ${label(c)} was ${error ? 'lost' : `silent for ${seconds(timeoutMs)}`} ` +
        'after the message was handed over; it may or may not have been delivered, so check before sending it again',
      { uncertain: true },
    );
  }
  // Exchange Online may wait for MAIL FROM to say that the login it took cannot be used for sending.
  const provider = error && MICROSOFT_NO_PASSWORDS.test(error.response ?? '') ? providerAuthFailure(error, c) : null;
  if (provider) return provider;
  if (lost)
    return new MailTransportError(
      'send',
      `The connection to ${label(c)} was lost before the message was sent${serverSaid(error)}`,
    );
  if (error.command === 'MAIL FROM')
    return new MailTransportError('send', `The server refused the sender address${serverSaid(error)}`);
  if (error.command === 'RCPT TO')
    return new MailTransportError('send', `The server refused the recipients${serverSaid(error)}`);
  if (error.code === 'EMESSAGE' && error.command === 'DATA' && error.response) {
    return new MailTransportError('send', `The server rejected the message${serverSaid(error)}`);
  }
  return new MailTransportError('send', `Sending failed: ${error.message.slice(0, 200)}`);
}

/** Removes every form a secret could take in a message (as is, base64, AUTH PLAIN blob). */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets.filter((s) => s.length >= 1)) out = out.split(secret).join('[redacted]');
  return out;
}

export function secretForms(user: string, pass: string): string[] {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return [pass, b64(pass), b64(`\u0000${user}\u0000${pass}`)].filter((s) => s.length >= 3);
}
