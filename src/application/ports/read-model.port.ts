import { type Mode } from '../../domain/mail-config/mail-config.types';

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
  /**
   * Another tenant (erased ones included) was provisioned with the same username, before
   * usernames were claimed: both have the same support address. Found across rows when read.
   */
  duplicateUsername: boolean;
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
  /** SMTP trouble for the summary: the last saved-config test failed, or SMTP sends are failing. */
  smtpFailing: boolean;
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
