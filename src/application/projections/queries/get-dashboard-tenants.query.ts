import { Query } from '@nestjs/cqrs';
import { type Mode } from '../../../domain/mail-config/mail-config.types';
import { type TenantRow, type TenantStatus } from '../../ports/read-model.port';

export interface TenantListFilter {
  mode?: Mode;
  status?: TenantStatus;
  /** Case-insensitive text in the tenant id, username or sender. */
  q?: string;
  limit: number;
  /** The previous page's nextCursor. */
  cursor?: string;
}

export interface TenantPage {
  tenants: TenantRow[];
  nextCursor: string | null;
}

/** One page of the support dashboard's tenant list, ordered by tenant id. */
export class GetDashboardTenantsQuery extends Query<TenantPage> {
  constructor(readonly filter: TenantListFilter) {
    super();
  }
}
