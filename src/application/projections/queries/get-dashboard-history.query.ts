import { Query } from '@nestjs/cqrs';
import { type HistoryEntry } from '../../mail-config/history';

export interface DescribedHistoryEntry extends HistoryEntry {
  /** The event in plain language; `data` keeps the raw (redacted) event. */
  description: string;
}

export interface DescribedHistoryPage {
  events: DescribedHistoryEntry[];
  nextCursor: string | null;
}

/** A tenant's history for the support panel, oldest first, each event described in words. */
export class GetDashboardHistoryQuery extends Query<DescribedHistoryPage> {
  constructor(
    readonly tenantId: string,
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}
