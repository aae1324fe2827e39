import { Query } from '@nestjs/cqrs';
import { type TenantPanelRecord } from '../../ports/tenant-directory.port';

/** The support panel of one tenant: its row, configuration and last outcomes, from the projections. */
export class GetDashboardTenantQuery extends Query<TenantPanelRecord> {
  constructor(readonly tenantId: string) {
    super();
  }
}
