import { type SmtpSecurity, type SmtpTestStage } from '../../domain/mail-config/mail-config.types';

/**
 * Mail transports as the application sees them. No nodemailer type crosses this file: the
 * adapters in infrastructure/mail translate to and from these shapes.
 */
export const DEFAULT_RELAY_TRANSPORT = Symbol('DEFAULT_RELAY_TRANSPORT');
export const TENANT_SMTP_TRANSPORT = Symbol('TENANT_SMTP_TRANSPORT');

/** Where a delivery stopped; the order is the order they run in. */
export type DeliveryStage = Exclude<SmtpTestStage, 'done'>;

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface OutgoingMessage {
  /** `<id@domain>`: chosen by the application so every transport reports the same one. */
  messageId: string;
  from: string;
  /** The From's display name (`"Acme Support" <from>`); absent: the bare address. */
  fromName?: string;
  /** Threading: the message id replied to, and the conversation's ids (each `<…>`). */
  inReplyTo?: string;
  references?: string[];
  /** Custom `X-…` headers, already checked against the allow-list rule (application/sending/message-headers). */
  headers?: Array<{ name: string; value: string }>;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo?: string;
  subject: string;
  text?: string;
  html?: string;
  attachments: OutgoingAttachment[];
}

export interface SentMessage {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

/** A tenant's own server. `password` is plaintext only for the duration of one call. */
export interface SmtpServerSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  username: string;
  password: string;
}

export interface SmtpTestReport {
  ok: boolean;
  stage: SmtpTestStage;
  /** For the tenant: what went wrong and what to try; never a secret. */
  message: string;
  durationMs: number;
}

export interface SmtpTestOptions {
  /** Also deliver this (short, test) message once the session is ready. */
  sendTest?: OutgoingMessage;
  /**
   * Without sendTest: after signing in, say MAIL FROM and RCPT TO with this address, then RSET,
   * so a server that refuses the sender stops the test at `send` and nothing is handed over.
   */
  senderCheck?: string;
}

/** The settings a Test judged, as the sender check sees them (the From address included). */
export type TestedSmtpSettings = SmtpServerSettings & { address: string };

/** What the SMTP policy refuses without a lookup, and the request field at fault. */
export interface SmtpPolicyRefusal {
  field: 'host' | 'port';
  message: string;
}

/** Mode 1: the platform relay, or the outbox directory when no relay is configured. */
export interface DefaultRelayTransport {
  /** Where mode-1 messages go: `relay` (DEFAULT_RELAY_URL) or `outbox` (not delivered: files or table rows). */
  readonly delivery: 'relay' | 'outbox';
  send(message: OutgoingMessage): Promise<SentMessage>;
}

/**
 * Mode 3: the tenant's server, behind the SSRF policy, staged so failures can be named. How
 * connections are kept between sends is the adapter's business: it may reuse one of the
 * tenant's while the settings stay exactly the same.
 */
export interface TenantSmtpTransport {
  verify(server: SmtpServerSettings, options?: SmtpTestOptions): Promise<SmtpTestReport>;
  send(tenantId: string, server: SmtpServerSettings, message: OutgoingMessage): Promise<SentMessage>;
  /** Null when the policy lets host and port through as far as it can tell without DNS. */
  policyRefusal(host: string, port: number): SmtpPolicyRefusal | null;
  /**
   * A keyed digest of exactly these settings (password included), the same on every instance
   * sharing the master key: it says "this configuration passed a Test" without revealing it.
   */
  fingerprint(settings: TestedSmtpSettings): string;
}

/**
 * A delivery that failed at a known stage. `uncertain` means the message data had been handed
 * over when the failure happened: it may have been delivered, so it must not be resent blindly.
 */
export class MailTransportError extends Error {
  readonly uncertain: boolean;

  constructor(
    readonly stage: DeliveryStage,
    message: string,
    options: { uncertain?: boolean } = {},
  ) {
    super(message);
    this.name = 'MailTransportError';
    this.uncertain = options.uncertain ?? false;
  }
}

/**
 * The transport's authorization is gone for good (Gmail answered invalid_grant). The send use
 * case records the revocation and delivers the message through mode 1 instead.
 */
export class GrantRevokedError extends MailTransportError {
  constructor(message = 'The Gmail authorization was revoked or has expired') {
    super('auth', message);
    this.name = 'GrantRevokedError';
  }
}
