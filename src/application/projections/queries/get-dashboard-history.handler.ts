import { type IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { GetAuditEventsQuery } from '../../audit/queries/get-audit-events.query';
import { describeEvent } from '../event-descriptions';
import { type DescribedHistoryPage, GetDashboardHistoryQuery } from './get-dashboard-history.query';

/**
 * The audit index's page for one tenant (same entries, cursor and redaction as the audit), each
 * entry with its description: the words are made here, so every reader of the panel agrees.
 */
@QueryHandler(GetDashboardHistoryQuery)
export class GetDashboardHistoryHandler implements IQueryHandler<GetDashboardHistoryQuery> {
  constructor(private readonly queries: QueryBus) {}

  async execute({ tenantId, limit, cursor }: GetDashboardHistoryQuery): Promise<DescribedHistoryPage> {
    const page = await this.queries.execute(new GetAuditEventsQuery({ tenantId, limit, cursor }));
    return { ...page, events: page.events.map((e) => ({ ...e, description: describeEvent(e) })) };
  }
}
