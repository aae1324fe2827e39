import { type StoredEvent } from '../ports/event-store.port';
import { isMailConfigEventType, type MailConfigEvent } from '../../domain/mail-config/mail-config.events';

/** A stored event this version of the service does not understand: commands on its stream fail closed. */
export class UnknownEventTypeError extends Error {
  readonly code = 'UNKNOWN_EVENT_TYPE';

  constructor(
    readonly streamId: string,
    readonly eventType: string,
    readonly version: number,
  ) {
    super(`Stream ${streamId} holds an event of unknown type "${eventType}" at version ${version}`);
    this.name = 'UnknownEventTypeError';
  }

  get details(): Record<string, unknown> {
    return { eventType: this.eventType };
  }
}

type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/**
 * Upcasters by event type and the schema version they read (metadata.schemaVersion, absent = 1).
 * Each lifts data one version; they run in a chain until the current version is reached.
 */
const UPCASTERS: Partial<Record<MailConfigEvent['type'], Record<number, Upcaster>>> = {
  // v1 SmtpConfigured events from before passwordChanged existed: a configured password was a change.
  SmtpConfigured: { 1: (d) => ('passwordChanged' in d ? d : { ...d, passwordChanged: true }) },
};

export const CURRENT_SCHEMA_VERSION: Partial<Record<MailConfigEvent['type'], number>> = { SmtpConfigured: 1 };

export function toDomainEvent(stored: StoredEvent): MailConfigEvent {
  if (!isMailConfigEventType(stored.type)) {
    throw new UnknownEventTypeError(stored.streamId, stored.type, stored.version);
  }
  let data = stored.data as Record<string, unknown>;
  const chain = UPCASTERS[stored.type] ?? {};
  for (let v = stored.metadata.schemaVersion ?? 1; chain[v]; v++) data = chain[v](data);
  return { type: stored.type, data } as MailConfigEvent;
}
