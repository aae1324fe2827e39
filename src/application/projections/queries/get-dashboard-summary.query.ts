import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { READ_MODEL_STORE, type ReadModelCounts, type ReadModelStore } from '../../ports/read-model.port';
import { ProjectionRunner } from '../projection-runner';

export interface DashboardSummary extends ReadModelCounts {
  checkpoint: number;
  lagMs: number;
  skippedEvents: number;
}

/** The support dashboard's counters and how far behind the events the projections are. */
export class GetDashboardSummaryQuery extends Query<DashboardSummary> {}

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
