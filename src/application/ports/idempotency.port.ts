/**
 * Remembers what a request with an Idempotency-Key answered, so a retry (after a timeout, a
 * crash, a restart, at this instance or another) gets the first answer and nothing is done twice.
 * A claim is taken atomically before anything is sent and the outcome recorded after; while its
 * owner runs, the claim is kept alive by a lease the adapter renews, so a claim whose owner died
 * stops blocking once the lease runs out.
 */
export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');

/** What the first request decided, as plain JSON; the interface layer turns it into a response. */
export type StoredOutcome = unknown;

export type IdempotencyClaim =
  /** Nobody used this key yet (or its record expired): go ahead, then complete() or release(). */
  | { kind: 'claimed' }
  /** The first request finished: answer with its outcome. */
  | { kind: 'completed'; outcome: StoredOutcome }
  /** The first request is still running, here or at another instance whose lease is alive. */
  | { kind: 'in_progress' }
  /** The first request's owner stopped (crash, lost instance) before its outcome was known. */
  | { kind: 'interrupted' }
  /** The key was used for a different request. */
  | { kind: 'mismatch' };

export interface IdempotencyStore {
  /** Atomically claims `key` within `scope` for the request with this fingerprint: one claim wins. */
  claim(scope: string, key: string, fingerprint: string): Promise<IdempotencyClaim>;
  /** Records the outcome of this store's claim; later claims answer it for 24 h. */
  complete(scope: string, key: string, outcome: StoredOutcome): Promise<void>;
  /** Forgets this store's claim whose request did nothing, so it may be retried with the same key. */
  release(scope: string, key: string): Promise<void>;
  /** Stops renewing leases and background work; a claim still held is then left as if crashed. */
  close(): Promise<void>;
}
