/**
 * Remembers what a request with an Idempotency-Key answered, so a retry (after a timeout, a
 * crash, a restart) gets the first answer and nothing is done twice.
 */
export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');

/** What the first request decided, as plain JSON; the interface layer turns it into a response. */
export type StoredOutcome = unknown;

export type IdempotencyClaim =
  /** Nobody used this key yet: go ahead, then complete() or release(). */
  | { kind: 'claimed' }
  /** The first request finished: answer with its outcome. */
  | { kind: 'completed'; outcome: StoredOutcome }
  /** The first request is still running in this process. */
  | { kind: 'in_progress' }
  /** The first request was cut off (the process stopped) before its outcome was known. */
  | { kind: 'interrupted' }
  /** The key was used for a different request. */
  | { kind: 'mismatch' };

export interface IdempotencyStore {
  /** Atomically claims `key` within `scope` for the request with this fingerprint. */
  claim(scope: string, key: string, fingerprint: string): Promise<IdempotencyClaim>;
  complete(scope: string, key: string, outcome: StoredOutcome): Promise<void>;
  /** Forgets a claim whose request did nothing, so it may be retried with the same key. */
  release(scope: string, key: string): Promise<void>;
}
