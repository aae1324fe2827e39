import { Query } from '@nestjs/cqrs';
import type { HistoryPage } from '../../mail-config/history';

export interface AuditFilter {
  tenantId?: string;
  types?: string[];
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}

/** One page of every tenant's events (support staff), in the order the store recorded them. */
export class GetAuditEventsQuery extends Query<HistoryPage> {
  constructor(readonly filter: AuditFilter) {
    super();
  }
}
