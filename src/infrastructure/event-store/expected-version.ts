import { ConcurrencyError, ExpectedVersion, NewEvent } from '../../application/ports/event-store.port';

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

/**
 * A retried append (same event ids, same expected version) is answered with the first result
 * instead of a conflict, as EventStoreDB does. `stored` returns the event ids at versions
 * from..from+n-1 of the stream.
 */
export function isRetryOfStoredAppend(
  expected: ExpectedVersion,
  events: NewEvent[],
  storedIdsFrom: (fromVersion: number, count: number) => string[],
): boolean {
  const from = expected === 'no_stream' ? 1 : typeof expected === 'number' ? expected + 1 : null;
  if (from === null || events.length === 0) return false;
  const stored = storedIdsFrom(from, events.length);
  return stored.length === events.length && stored.every((id, i) => id === events[i].eventId);
}
