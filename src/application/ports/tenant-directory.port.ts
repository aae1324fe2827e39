import { type Mode } from '../../domain/mail-config/mail-config.types';
import { type TenantDetails, type TenantRow, type TenantStatus } from './read-model.port';

/** The support dashboard's view of the tenants, as the projections left it. */
export const TENANT_DIRECTORY = Symbol('TENANT_DIRECTORY');

export interface TenantFilter {
  mode?: Mode;
  status?: TenantStatus;
  /** Case-insensitive substring of tenant id, username, sender or a Gmail/Microsoft account (also revoked). */
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

/** One tenant for the support panel. */
export interface TenantPanelRecord extends TenantRow {
  /** null for a record projected before the panel existed, until the projections are rebuilt. */
  details: TenantDetails | null;
  accounts: string[];
}

export interface TenantDirectory {
  /** null when the projections have not seen the tenant. */
  tenant(tenantId: string): Promise<TenantPanelRecord | null>;
  counts(): Promise<ReadModelCounts>;
  /** Ordered by tenant id; at most `limit` rows. */
  tenants(filter: TenantFilter): Promise<TenantRow[]>;
}
