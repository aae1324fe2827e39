import { createHash } from 'node:crypto';

/** Records expire this long after their first claim. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Keys are stored hashed: a client may use something guessable, and a store has no business holding it. */
export function hashIdempotencyKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
