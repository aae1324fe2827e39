import {
  ANY,
  type AppendExpectedRevision,
  type EventData,
  type JSONType,
  NO_STREAM,
  type Position,
  type RecordedEvent,
  STREAM_EXISTS,
  jsonEvent,
} from '@eventstore/db-client';
import { decodeEvent } from '../event-codec';
import { type ExpectedVersion, type NewEvent, type StoredEvent } from '../../../application/ports/event-store.port';

/** Translation between the port's language (versions from 1, positions as bigint) and the client's. */

/** ESDB revisions count from 0; our versions count from 1, so revision = version - 1. */
export function toExpectedRevision(expected: ExpectedVersion): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'exists') return STREAM_EXISTS;
  if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`Invalid expected version ${expected}`);
  // Version 0 means "no events yet", which ESDB can only say as NO_STREAM.
  return expected === 0 ? NO_STREAM : BigInt(expected - 1);
}

export function toEventData(event: NewEvent): EventData {
  return jsonEvent({
    id: event.eventId, // fixed by the caller, so a retried append is recognised as the same write
    type: event.type, // explicit, never derived from a class name
    data: event.data as JSONType,
    metadata: event.metadata as unknown as JSONType,
  });
}

/** The server writes "no position" as the largest unsigned 64-bit number. */
const NO_POSITION = 0xffffffffffffffffn;

export function toStoredEvent(recorded: RecordedEvent, commitPosition?: bigint): StoredEvent {
  const known = (p: bigint | undefined) => (p === undefined || p === NO_POSITION ? undefined : p);
  const position = known(recorded.position?.commit) ?? known(commitPosition);
  if (position === undefined) throw new Error(`Event ${recorded.id} in ${recorded.streamId} came without a position`);
  const raw = {
    eventId: recorded.id,
    type: recorded.type,
    data: recorded.data as unknown,
    metadata: recorded.metadata as unknown,
    streamId: recorded.streamId,
    version: Number(recorded.revision) + 1,
    position,
  };
  // The server's own records ($settings, stream metadata) are not ours to decode; callers filter them out.
  if (isSystemEvent(recorded)) return raw as StoredEvent;
  // The client hands unparsable JSON over as raw bytes or text: decoding names the event instead.
  return decodeEvent({
    eventId: recorded.id,
    type: recorded.type,
    data: typeof recorded.data === 'string' ? JSON.stringify(recorded.data) : recorded.data,
    metadata: typeof recorded.metadata === 'string' ? JSON.stringify(recorded.metadata) : recorded.metadata,
    streamId: recorded.streamId,
    version: Number(recorded.revision) + 1,
    position,
  });
}

/**
 * System records ($-prefixed streams such as "$settings" or "$$<stream>" metadata, and
 * $-prefixed types such as the "$streamDeleted" tombstone) are the server's, never ours.
 */
export function isSystemEvent(recorded: RecordedEvent): boolean {
  return recorded.streamId.startsWith('$') || recorded.type.startsWith('$');
}

/**
 * Reads and subscriptions from a position take the commit position; the prepare position equals
 * it for every event appended over gRPC, where each event is its own committed record.
 */
export function fromPosition(after: bigint): Position {
  return { commit: after, prepare: after };
}
