import { type Mode } from '../../domain/mail-config/mail-config.types';
import { type StoredEvent } from './event-store.port';

/**
 * Storage of the projections (support dashboard rows, cross-tenant audit index) and of their
 * checkpoint. The embedded adapter is SQLite in DATA_DIR (infrastructure/read-models).
 */
export const READ_MODEL_STORE = Symbol('READ_MODEL_STORE');

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
}

/** The row plus what the projection needs to derive the next row from the next event. */
export interface TenantRecord extends TenantRow {
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

/** Writes of one transaction: everything commits with the checkpoint, or nothing does. */
export interface ReadModelTransaction {
  checkpoint(): ProjectionCheckpoint;
  tenant(tenantId: string): TenantRecord | null;
  putTenant(record: TenantRecord): void;
  /** Indexes an event for the cross-tenant audit; its data must already be redacted. */
  indexAuditEvent(tenantId: string, event: StoredEvent): void;
  recordSkipped(type: string, position: bigint): void;
  advance(position: bigint): void;
}

export interface TenantFilter {
  mode?: Mode;
  status?: TenantStatus;
  /** Case-insensitive substring of tenant id, username or sender. */
  q?: string;
  /** Rows with a tenant id strictly greater than this (keyset pagination). */
  afterTenantId?: string;
  limit: number;
}

export interface AuditFilter {
  tenantId?: string;
  types?: string[];
  /** Inclusive bounds on metadata.at, in epoch milliseconds. */
  sinceMs?: number;
  untilMs?: number;
  /** Events strictly after this global position (keyset pagination). */
  afterPosition?: bigint;
  limit: number;
}

export interface ReadModelCounts {
  tenants: number;
  byMode: Record<Mode, number>;
  needsAttention: number;
  gmailRevoked: number;
  smtpFailing: number;
  erased: number;
}

export interface ReadModelStore {
  /**
   * Runs `work` in one write transaction. Synchronous on purpose: the embedded store is, and a
   * synchronous body cannot interleave with another writer between reading and writing.
   */
  transaction<T>(work: (tx: ReadModelTransaction) => T): T;
  checkpoint(): ProjectionCheckpoint;
  /** Empties every read model and the checkpoint, and starts a new generation. */
  reset(): ProjectionCheckpoint;
  counts(): ReadModelCounts;
  /** Ordered by tenant id; at most `limit` rows. */
  tenants(filter: TenantFilter): TenantRow[];
  /** Ordered by position, oldest first; at most `limit` events, data already redacted. */
  auditEvents(filter: AuditFilter): StoredEvent[];
  skipped(): SkippedEventType[];
  close(): void;
}
