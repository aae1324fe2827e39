import { ApplicationError } from '../common/application-error';
import { type StoredEvent } from '../ports/event-store.port';
import { currentShapeOf } from './event-codec';
import { redactSecrets } from './redaction';
import { tenantOf } from './streams';

export interface HistoryFilter {
  since?: Date;
  until?: Date;
  types?: string[];
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface HistoryEntry {
  eventId: string;
  tenantId: string;
  version: number;
  type: string;
  at: string;
  actor: string;
  /** Who the credential said the caller was, beside the caller-chosen actor (null: a job, or older events). */
  authenticatedAs: string | null;
  correlationId: string;
  causationId: string | null;
  /** What noticed it, for events the service recorded on its own (actor `system`); else null. */
  detectedBy: string | null;
  data: unknown;
}

export interface HistoryPage {
  events: HistoryEntry[];
  nextCursor: string | null;
}

export class InvalidCursorError extends ApplicationError {
  constructor() {
    super('INVALID_CURSOR', 'cursor is not one this service issued', 'cursor');
  }
}

/** One audit entry, the same for the tenant history and the cross-tenant audit. */
export function toHistoryEntry(e: StoredEvent): HistoryEntry {
  return {
    eventId: e.eventId,
    tenantId: tenantOf(e.streamId),
    version: e.version,
    type: e.type,
    at: e.metadata.at,
    actor: e.metadata.actor,
    authenticatedAs: e.metadata.authenticatedAs ?? null,
    correlationId: e.metadata.correlationId,
    causationId: e.metadata.causationId ?? null,
    detectedBy: e.metadata.detectedBy ?? null,
    data: redactSecrets(currentShapeOf(e)),
  };
}

export function matchesFilter(e: StoredEvent, f: Pick<HistoryFilter, 'since' | 'until' | 'types'>): boolean {
  const at = new Date(e.metadata.at).getTime();
  if (f.since && at < f.since.getTime()) return false;
  if (f.until && at > f.until.getTime()) return false;
  if (f.types && f.types.length > 0 && !f.types.includes(e.type)) return false;
  return true;
}
