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
 * The schema version each event type is written with (metadata.schemaVersion; absent means 1).
 * Change an event's data shape → raise its number here and add the upcaster from the old one.
 *
 * SmtpConfigured 2 added `passwordChanged`. ConsentRevoked 2 added `provider` (Microsoft 365 mode).
 */
export const CURRENT_SCHEMA_VERSION: Partial<Record<MailConfigEvent['type'], number>> = {
  SmtpConfigured: 2,
  ConsentRevoked: 2,
};

/**
 * Upcasters by event type and the schema version they read; each lifts data one version, in a
 * chain until the current version. The stored version decides, not the shape of the data.
 */
const UPCASTERS: Partial<Record<MailConfigEvent['type'], Record<number, Upcaster>>> = {
  SmtpConfigured: {
    // v1 had no passwordChanged: every v1 event carried a password typed in, so it was a change. A
    // few v1 events written while the field was being introduced already carry it; theirs is kept.
    1: (d) => ({ passwordChanged: true, ...d }),
  },
  ConsentRevoked: {
    // Before Microsoft 365 mode, Gmail was the only provider a consent could be revoked at.
    1: (d) => ({ provider: 'gmail', ...d }),
  },
};

/** The metadata version of an event about to be written. */
export function schemaVersionOf(type: MailConfigEvent['type']): number {
  return CURRENT_SCHEMA_VERSION[type] ?? 1;
}

export function toDomainEvent(stored: StoredEvent): MailConfigEvent {
  if (!isMailConfigEventType(stored.type)) {
    throw new UnknownEventTypeError(stored.streamId, stored.type, stored.version);
  }
  return { type: stored.type, data: upcast(stored.type, stored) } as MailConfigEvent;
}

/** The event's data in today's shape; an event of a type this service does not know is left as stored. */
export function currentShapeOf(stored: StoredEvent): unknown {
  return isMailConfigEventType(stored.type) ? upcast(stored.type, stored) : stored.data;
}

function upcast(type: MailConfigEvent['type'], stored: StoredEvent): Record<string, unknown> {
  let data = stored.data as Record<string, unknown>;
  const chain = UPCASTERS[type] ?? {};
  for (let v = stored.metadata.schemaVersion ?? 1; v < schemaVersionOf(type); v++) {
    const lift = chain[v];
    if (!lift) throw new Error(`No upcaster for ${type} from schema version ${v}`);
    data = lift(data);
  }
  return data;
}
