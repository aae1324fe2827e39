import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type HistoryPage, InvalidCursorError, toHistoryEntry } from '../../mail-config/history';
import { AUDIT_INDEX, type AuditIndex } from '../../ports/audit-index.port';
import { GetAuditEventsQuery } from './get-audit-events.query';

const INT64_MAX = 2n ** 63n - 1n;
const encodeCursor = (position: bigint) => Buffer.from(`p:${position}`).toString('base64url');
function decodeCursor(cursor: string): bigint {
  const m = /^p:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  // 19 digits still reach past int64, which the store's position column would reject as a 500.
  if (!m || BigInt(m[1]) > INT64_MAX) throw new InvalidCursorError();
  return BigInt(m[1]);
}

/**
 * Cross-tenant audit, read from the audit index the projections keep (indexed by tenant, type,
 * time and position) rather than by reading every stream. Entries go through the tenant
 * history's own mapping and redaction, so both views show an event identically.
 */
@QueryHandler(GetAuditEventsQuery)
export class GetAuditEventsHandler implements IQueryHandler<GetAuditEventsQuery> {
  constructor(@Inject(AUDIT_INDEX) private readonly index: AuditIndex) {}

  async execute({ filter }: GetAuditEventsQuery): Promise<HistoryPage> {
    const events = await this.index.auditEvents({
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
