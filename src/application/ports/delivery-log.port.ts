import { type Mode } from '../../domain/mail-config/mail-config.types';

export const DELIVERY_LOG = Symbol('DELIVERY_LOG');

/** sent: handed over; failed: refused before any data left; uncertain: the data may have reached the server. */
export type DeliveryLogOutcome = 'sent' | 'failed' | 'uncertain';

/** One message the service tried to send, as support and the main application look it up later. */
export interface DeliveryRecord {
  tenantId: string;
  /** The Message-ID the message carries (also in the send answer); null when it was refused before it was built. */
  messageId: string | null;
  /** ISO time the send ended. */
  at: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  /** The mode it left through (after a fallback: `default`). */
  mode: Mode;
  from: string | null;
  outcome: DeliveryLogOutcome;
  /** Where a failure stopped (policy, connect, tls, auth, send, …), and the server's or the service's words. */
  stage: string | null;
  detail: string | null;
  fallback: null | { from: string; reason: string };
  idempotencyKey: string | null;
  correlationId: string;
  actor: string;
}

export interface DeliveryLogFilter {
  /** Any recipient (to, cc or bcc), compared case-insensitively. */
  to?: string;
  since?: Date;
  until?: Date;
  outcome?: DeliveryLogOutcome;
  /** Only records older than this position (paging backwards from the newest). */
  before?: number;
  limit: number;
}

export interface StoredDeliveryRecord extends DeliveryRecord {
  /** Position in the log: grows with every record stored. */
  seq: number;
}

export interface DeliveryLogPage {
  /** Newest first, at most `limit`. */
  records: StoredDeliveryRecord[];
  /** Whether older records match too. */
  more: boolean;
}

/**
 * The delivery log: one record per message. `record` never blocks the send it describes: it
 * queues the record and an adapter writes queued records in batches, off the send's path. Records
 * older than the retention are purged; an erased tenant's are deleted with it.
 */
export interface DeliveryLog {
  record(entry: DeliveryRecord): void;
  /** Resolves when every record queued so far is stored (tests, shutdown). */
  flush(): Promise<void>;
  search(tenantId: string, filter: DeliveryLogFilter): Promise<DeliveryLogPage>;
  eraseTenant(tenantId: string): Promise<number>;
  purgeBefore(at: Date): Promise<number>;
  close(): Promise<void>;
}
