import { type SmtpSecurity } from '../../../domain/mail-config/mail-config.types';

/** What one SMTP session will do: where it connects, how it secures and authenticates, and its time budget. */
/** `opportunistic`: STARTTLS when offered, plaintext otherwise (the platform relay on smtp://). */
export type SessionSecurity = SmtpSecurity | 'opportunistic';

export interface StageTimeouts {
  dns: number;
  connect: number;
  greeting: number;
  tls: number;
  auth: number;
  send: number;
}

export interface SessionPlan {
  /** The host as configured (for messages); the session connects to `addresses` only. */
  host: string;
  port: number;
  addresses: string[];
  servername: string | null;
  security: SessionSecurity;
  auth: { user: string; pass: string } | null;
  /** PEM certificates trusted in addition to the public roots. */
  extraCa: string[];
  /** EHLO name: a fixed public name, so the machine's own host name never leaks. */
  clientName: string;
  timeouts: StageTimeouts;
}
