import { Query } from '@nestjs/cqrs';
import type { DeliveryLogOutcome, DeliveryRecord } from '../../ports/delivery-log.port';

export interface DeliveryLogQueryFilter {
  to?: string;
  since?: Date;
  until?: Date;
  outcome?: DeliveryLogOutcome;
  cursor?: string;
  limit: number;
}

export type DeliveryLogEntry = Omit<DeliveryRecord, 'tenantId'>;

export interface DeliveryLogAnswer {
  /** Newest first. */
  messages: DeliveryLogEntry[];
  nextCursor: string | null;
}

/** One page of the tenant's delivery log: the messages it sent or tried to send, newest first. */
export class GetDeliveryLogQuery extends Query<DeliveryLogAnswer> {
  constructor(
    readonly tenantId: string,
    readonly filter: DeliveryLogQueryFilter,
  ) {
    super();
  }
}
