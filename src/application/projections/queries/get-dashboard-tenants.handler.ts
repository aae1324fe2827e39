import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InvalidCursorError } from '../../mail-config/history';
import { TENANT_DIRECTORY, type TenantDirectory } from '../../ports/tenant-directory.port';
import { TenantPage, GetDashboardTenantsQuery } from './get-dashboard-tenants.query';

const encodeCursor = (tenantId: string) => Buffer.from(`t:${tenantId}`).toString('base64url');
function decodeCursor(cursor: string): string {
  const m = /^t:([A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new InvalidCursorError();
  return m[1];
}

/** Answered from the projections only, never from the streams. */
@QueryHandler(GetDashboardTenantsQuery)
export class GetDashboardTenantsHandler implements IQueryHandler<GetDashboardTenantsQuery> {
  constructor(@Inject(TENANT_DIRECTORY) private readonly directory: TenantDirectory) {}

  async execute({ filter }: GetDashboardTenantsQuery): Promise<TenantPage> {
    // One row more than asked tells whether another page exists without a second query.
    const rows = await this.directory.tenants({
      mode: filter.mode,
      status: filter.status,
      q: filter.q?.trim() || undefined,
      afterTenantId: filter.cursor ? decodeCursor(filter.cursor) : undefined,
      limit: filter.limit + 1,
    });
    const page = rows.slice(0, filter.limit);
    return {
      tenants: page,
      nextCursor: rows.length > filter.limit ? encodeCursor(page[page.length - 1].tenantId) : null,
    };
  }
}
