import { type Mode } from '../../domain/mail-config/mail-config.types';
import { type TenantRow, type TenantStatus } from './read-model.port';

/** The support dashboard's view of the tenants, as the projections left it. */
export const TENANT_DIRECTORY = Symbol('TENANT_DIRECTORY');

export interface TenantFilter {
  mode?: Mode;
  status?: TenantStatus;
  /** Case-insensitive substring of tenant id, username or sender. */
  q?: string;
  /** Rows with a tenant id strictly greater than this (keyset pagination). */
  afterTenantId?: string;
  limit: number;
}

export interface ReadModelCounts {
  tenants: number;
  byMode: Record<Mode, number>;
  needsAttention: number;
  gmailRevoked: number;
  smtpFailing: number;
  erased: number;
}

export interface TenantDirectory {
  counts(): Promise<ReadModelCounts>;
  /** Ordered by tenant id; at most `limit` rows. */
  tenants(filter: TenantFilter): Promise<TenantRow[]>;
}
