import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventQuarantine, type QuarantinedEvent } from '../event-quarantine';
import { ListQuarantinedEventsQuery } from './list-quarantined-events.query';

@QueryHandler(ListQuarantinedEventsQuery)
export class ListQuarantinedEventsHandler implements IQueryHandler<ListQuarantinedEventsQuery> {
  constructor(private readonly quarantine: EventQuarantine) {}

  execute(): Promise<QuarantinedEvent[]> {
    return this.quarantine.list();
  }
}
