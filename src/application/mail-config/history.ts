import { ApplicationError } from '../common/application-error';
import { Inject, Injectable } from '@nestjs/common';
import { MailConfigError } from '../../domain/mail-config/mail-config.errors';
import { EVENT_STORE, EventStore, StoredEvent } from '../ports/event-store.port';
import { redactSecrets } from './redaction';
import { streamOf, tenantOf } from './streams';

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
  correlationId: string;
  causationId: string | null;
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
    correlationId: e.metadata.correlationId,
    causationId: e.metadata.causationId ?? null,
    data: redactSecrets(e.data),
  };
}

export function matchesFilter(e: StoredEvent, f: Pick<HistoryFilter, 'since' | 'until' | 'types'>): boolean {
  const at = new Date(e.metadata.at).getTime();
  if (f.since && at < f.since.getTime()) return false;
  if (f.until && at > f.until.getTime()) return false;
  if (f.types && f.types.length > 0 && !f.types.includes(e.type)) return false;
  return true;
}

const encodeCursor = (version: number) => Buffer.from(`v:${version}`).toString('base64url');
function decodeCursor(cursor: string): number {
  const m = /^v:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new InvalidCursorError();
  return Number(m[1]);
}

@Injectable()
export class HistoryQuery {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async forTenant(tenantId: string, filter: HistoryFilter): Promise<HistoryPage> {
    const after = filter.cursor ? decodeCursor(filter.cursor) : 0;
    const stream = streamOf(tenantId);
    if (after === 0 && (await this.store.readStream(stream, { maxCount: 1 })).length === 0) {
      throw new MailConfigError('NOT_PROVISIONED', 'This tenant’s mail configuration has not been provisioned');
    }
    const events = await this.store.readStream(stream, { fromVersion: after + 1 });
    const page: HistoryEntry[] = [];
    let lastVersion = after;
    for (const e of events) {
      if (page.length === filter.limit) break;
      lastVersion = e.version;
      if (matchesFilter(e, filter)) page.push(toHistoryEntry(e));
    }
    const more = page.length === filter.limit && events[events.length - 1].version > lastVersion;
    return { events: page, nextCursor: more ? encodeCursor(lastVersion) : null };
  }
}
