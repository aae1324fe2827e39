import { type ConsentRevocationReason, type Mode, type SmtpSecurity } from '../../domain/mail-config/mail-config.types';

/**
 * What the read models hold, shared by their ports: the projection store (writes and checkpoint),
 * the tenant directory (dashboard) and the audit index. Adapters: SQLite in DATA_DIR (embedded,
 * single node), PostgreSQL (replicated shape).
 */

export type TenantStatus = 'ok' | 'needs_attention' | 'erased';
export type Attention = 'gmail_revoked' | 'microsoft_revoked' | 'smtp_test_failed' | 'send_failing';

/** A tenant as the dashboard lists it (contract section "Support dashboard"). */
export interface TenantRow {
  tenantId: string;
  username: string | null;
  mode: Mode;
  sender: string | null;
  status: TenantStatus;
  attention: Attention | null;
  lastChangeAt: string;
  lastChangeBy: string;
  /** Extension: why the tenant needs attention, in words (null when it does not). */
  reason: string | null;
  /**
   * Another tenant (erased ones included) was provisioned with the same username, before
   * usernames were claimed: both have the same support address. Found across rows when read.
   */
  duplicateUsername: boolean;
}

/** How a grant ended: by the tenant here, or at the provider noticed while sending or by the consent check. */
export type RevocationDetection = 'tenant' | 'sending' | 'consent_check';

export interface GrantDetails {
  account: string | null;
  status: 'authorized' | 'revoked';
  authorizedAt: string | null;
  revokedAt: string | null;
  revokedReason: ConsentRevocationReason | null;
  detectedBy: RevocationDetection | null;
  /** The actor of the revocation event. */
  revokedBy: string | null;
}

/** What the support panel shows about a tenant beyond its row; every field as the last event left it. */
export interface TenantDetails {
  smtp: null | {
    address: string;
    host: string;
    port: number;
    security: SmtpSecurity;
    username: string;
    configuredAt: string;
    configuredBy: string;
  };
  /** The last test of the saved SMTP configuration (cleared when new settings are saved). */
  lastTest: null | { ok: boolean; stage: string; message: string; durationMs: number; at: string; by: string };
  gmail: GrantDetails | null;
  microsoft: GrantDetails | null;
  /** The last DeliveryFailing, with when it recovered (null while it is still failing). */
  lastDeliveryFailure: null | {
    mode: Mode;
    stage: string;
    message: string;
    consecutiveFailures: number;
    since: string;
    recoveredAt: string | null;
  };
  lastTestMessage: null | {
    to: string;
    ok: boolean;
    mode: Mode;
    from: string | null;
    stage: string | null;
    message: string | null;
    at: string;
    by: string;
  };
  lastSettingsLink: null | { expiresAt: string; at: string; by: string };
}

/** The row plus what the projection needs to derive the next row from the next event. */
export interface TenantRecord extends Omit<TenantRow, 'duplicateUsername'> {
  /** The username as addresses compare (normaliseUsername); absent in records projected before it. */
  usernameKey?: string | null;
  defaultAddress: string | null;
  gmailAccount: string | null;
  smtpAddress: string | null;
  gmailRevokedAtGoogle: boolean;
  /** Absent in records projected before Microsoft 365 mode (read as null / false). */
  microsoftAccount?: string | null;
  microsoftRevokedAtProvider?: boolean;
  smtpTestFailed: boolean;
  /** The mode whose sends are failing (DeliveryFailing), null once they recover. */
  sendFailingMode: Mode | null;
  /**
   * SMTP trouble for the summary, only while SMTP is the active mode: the last saved-config test
   * failed, or SMTP sends are failing. A failed test of a draft (SMTP saved, another mode active) is not.
   */
  smtpFailing: boolean;
  /** Absent in records projected before the support panel (a projections rebuild fills it in). */
  details?: TenantDetails;
  /** Every Gmail or Microsoft account the tenant ever authorized (lower case): revoked ones stay searchable. */
  accounts?: string[];
  /** Stream version of the last event folded into this record: a second guard against reapplying. */
  version: number;
}

/**
 * Where the projections are. `generation` changes on every reset (rebuild), so a runner that
 * started before the reset notices and resubscribes instead of writing into the new run.
 */
export interface ProjectionCheckpoint {
  position: bigint;
  generation: number;
}

export interface SkippedEventType {
  type: string;
  count: number;
  lastPosition: bigint;
}
