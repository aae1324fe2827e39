import { Query } from '@nestjs/cqrs';
import type { HistoryFilter, HistoryPage } from '../history';

/** One page of the tenant's events, oldest first, secrets shown as "[encrypted]". */
export class GetMailConfigHistoryQuery extends Query<HistoryPage> {
  constructor(
    readonly tenantId: string,
    readonly filter: HistoryFilter,
  ) {
    super();
  }
}
