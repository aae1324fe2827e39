import { Query } from '@nestjs/cqrs';

export interface DuplicateUsername {
  /** The normalised username the tenants share. */
  username: string;
  /** In provisioning order: the first one had the address first. */
  tenants: Array<{ tenantId: string; defaultAddress: string; provisionedAt: string; erased: boolean }>;
}

/**
 * Usernames more than one tenant was provisioned with (before usernames were claimed), read from
 * the tenant streams: the event store is the truth, whatever the projections have caught up to.
 */
export class FindDuplicateUsernamesQuery extends Query<DuplicateUsername[]> {}
