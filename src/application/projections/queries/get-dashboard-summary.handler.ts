import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { TENANT_DIRECTORY, type TenantDirectory } from '../../ports/tenant-directory.port';
import { ProjectionService } from '../projection-service';
import { DashboardSummary, GetDashboardSummaryQuery } from './get-dashboard-summary.query';

/** Answered from the projections only, never from the streams. */
@QueryHandler(GetDashboardSummaryQuery)
export class GetDashboardSummaryHandler implements IQueryHandler<GetDashboardSummaryQuery> {
  constructor(
    @Inject(TENANT_DIRECTORY) private readonly directory: TenantDirectory,
    private readonly runner: ProjectionService,
  ) {}

  async execute(): Promise<DashboardSummary> {
    const [counts, status] = await Promise.all([this.directory.counts(), this.runner.status()]);
    return {
      ...counts,
      checkpoint: Number(status.checkpoint),
      lagMs: status.lagMs,
      skippedEvents: status.skippedTypes.reduce((n, t) => n + t.count, 0),
    };
  }
}
