import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { READ_MODEL_STORE, type ReadModelStore } from '../../ports/read-model.port';
import { ProjectionRunner } from '../projection-runner';
import { DashboardSummary, GetDashboardSummaryQuery } from './get-dashboard-summary.query';

/** Answered from the projections only, never from the streams. */
@QueryHandler(GetDashboardSummaryQuery)
export class GetDashboardSummaryHandler implements IQueryHandler<GetDashboardSummaryQuery> {
  constructor(
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    private readonly runner: ProjectionRunner,
  ) {}

  async execute(): Promise<DashboardSummary> {
    const counts = this.readModels.counts();
    const status = await this.runner.status();
    return {
      ...counts,
      checkpoint: Number(status.checkpoint),
      lagMs: status.lagMs,
      skippedEvents: status.skippedTypes.reduce((n, t) => n + t.count, 0),
    };
  }
}
