import { Query } from '@nestjs/cqrs';
import { type ReadModelCounts } from '../../ports/tenant-directory.port';

export interface DashboardSummary extends ReadModelCounts {
  checkpoint: number;
  lagMs: number;
  skippedEvents: number;
}

/** The support dashboard's counters and how far behind the events the projections are. */
export class GetDashboardSummaryQuery extends Query<DashboardSummary> {}
