import { Query } from '@nestjs/cqrs';
import { type QuarantinedEvent } from '../event-quarantine';

/** `events quarantined`: every event set aside, oldest first. */
export class ListQuarantinedEventsQuery extends Query<QuarantinedEvent[]> {}
