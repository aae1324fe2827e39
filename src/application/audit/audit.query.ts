import { Inject, Injectable } from '@nestjs/common';
import { HistoryPage, InvalidCursorError, toHistoryEntry } from '../mail-config/history';
import { READ_MODEL_STORE, ReadModelStore } from '../ports/read-model.port';

export interface AuditQueryFilter {
  tenantId?: string;
  types?: string[];
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}

const encodeCursor = (position: bigint) => Buffer.from(`p:${position}`).toString('base64url');
function decodeCursor(cursor: string): bigint {
  const m = /^p:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new InvalidCursorError();
  return BigInt(m[1]);
}

/**
 * Cross-tenant audit, read from the audit index the projections keep (indexed by tenant, type,
 * time and position) rather than by reading every stream. Entries go through the tenant
 * history's own mapping and redaction, so both views show an event identically.
 */
@Injectable()
export class AuditQuery {
  constructor(@Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore) {}

  async events(filter: AuditQueryFilter): Promise<HistoryPage> {
    const events = this.readModels.auditEvents({
      tenantId: filter.tenantId,
      types: filter.types,
      sinceMs: filter.since?.getTime(),
      untilMs: filter.until?.getTime(),
      afterPosition: filter.cursor ? decodeCursor(filter.cursor) : undefined,
      limit: filter.limit + 1,
    });
    const page = events.slice(0, filter.limit);
    return {
      events: page.map(toHistoryEntry),
      nextCursor: events.length > filter.limit ? encodeCursor(page[page.length - 1].position) : null,
    };
  }
}
