import { type StoredEvent } from './event-store.port';

/** Every tenant's events, indexed by tenant, type, time and position for the cross-tenant audit. */
export const AUDIT_INDEX = Symbol('AUDIT_INDEX');

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

export interface AuditIndex {
  /** Ordered by position, oldest first; at most `limit` events, data already redacted. */
  auditEvents(filter: AuditFilter): Promise<StoredEvent[]>;
}
