import { ConcurrencyError, type ExpectedVersion, type NewEvent } from '../../application/ports/event-store.port';

/** `current` is the stream's last version, or null when the stream does not exist. */
export function versionMatches(expected: ExpectedVersion, current: number | null): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === null;
  if (expected === 'exists') return current !== null;
  return current === expected;
}

export function assertExpectedVersion(streamId: string, expected: ExpectedVersion, current: number | null): void {
  if (!versionMatches(expected, current)) throw new ConcurrencyError(streamId, expected, current);
}

/** How a store shows what it holds of one stream, for recognising a retried append. */
export interface StoredIds {
  /** The event ids at versions from..from+count-1 of the stream (fewer at its end). */
  idsFrom(fromVersion: number, count: number): string[];
  /** The version at which this stream holds the event id, or null. */
  versionOf(eventId: string): number | null;
}

/**
 * A retried append (the same event ids again) is answered with the first result instead of being
 * written twice, as EventStoreDB does. With a revision or no_stream the ids must sit where the
 * expected version points; with any or exists the stream is searched for the first id (another
 * stream holding the id does not count). Returns the version of the retried append's last event,
 * or null when this is not a retry. A retry that matches only part of a stored append is a
 * conflict, as on EventStoreDB.
 */
export function storedRetryOf(
  streamId: string,
  expected: ExpectedVersion,
  events: ReadonlyArray<Pick<NewEvent, 'eventId'>>,
  current: number | null,
  stored: StoredIds,
): number | null {
  if (current === null || events.length === 0) return null;
  const byPosition = expected === 'no_stream' || typeof expected === 'number';
  const from =
    expected === 'no_stream' ? 1 : typeof expected === 'number' ? expected + 1 : stored.versionOf(events[0].eventId);
  if (from === null) return null;
  const ids = stored.idsFrom(from, events.length);
  if (ids.length === events.length && ids.every((id, i) => id === events[i].eventId)) return from + events.length - 1;
  // With a revision the version check that follows decides; a partial match cannot pass it.
  if (byPosition) return null;
  throw new ConcurrencyError(streamId, expected, current);
}
