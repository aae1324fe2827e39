import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { notProvisioned } from '../../../domain/mail-config/mail-config.errors';
import { TENANT_DIRECTORY, type TenantDirectory, type TenantPanelRecord } from '../../ports/tenant-directory.port';
import { GetDashboardTenantQuery } from './get-dashboard-tenant.query';

/** Answered from the projections only, never from the streams. */
@QueryHandler(GetDashboardTenantQuery)
export class GetDashboardTenantHandler implements IQueryHandler<GetDashboardTenantQuery> {
  constructor(@Inject(TENANT_DIRECTORY) private readonly directory: TenantDirectory) {}

  async execute({ tenantId }: GetDashboardTenantQuery): Promise<TenantPanelRecord> {
    const tenant = await this.directory.tenant(tenantId);
    if (!tenant) throw notProvisioned();
    return tenant;
  }
}
