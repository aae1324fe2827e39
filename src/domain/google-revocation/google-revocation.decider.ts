import { type EncryptedValue } from '../mail-config/mail-config.types';

/**
 * The revocation-retry rules, one decider per pending revocation (a tenant's `googleRevocation-`
 * stream may hold several; GoogleRevocationQueue keys them by the Pending event's version).
 * Pending records the first, failed try made when consent was withdrawn; each retry records an
 * Attempted event; the last one is `final` (revoked, not worth retrying, superseded, or given up).
 */

/** Tries in all, the first one (when consent was withdrawn) included. */
export const MAX_REVOCATION_ATTEMPTS = 10;
/** Wait after the first failed try; doubled after each further failure … */
export const FIRST_RETRY_DELAY_MS = 60_000;
/** … up to this. */
export const MAX_RETRY_DELAY_MS = 6 * 60 * 60_000;

export interface GoogleRevocationPendingData {
  tenantId: string;
  account: string | null;
  refreshToken: EncryptedValue;
  message: string | null;
  failedAt: string;
  /** Whose data key sealed the token; absent: the tenant's own (an erased tenant's key is gone). */
  sealedFor?: string;
}

export interface GoogleRevocationAttemptedData {
  /** Version of the GoogleRevocationPending event this try is about. */
  pendingVersion: number;
  ok: boolean;
  message: string | null;
  attempt: number;
  /** No further tries: revoked, superseded, or given up. */
  final: boolean;
  at: string;
}

export type GoogleRevocationEvent =
  | { type: 'GoogleRevocationPending'; data: GoogleRevocationPendingData }
  | { type: 'GoogleRevocationAttempted'; data: GoogleRevocationAttemptedData };

/** What one try came to; the application makes the try, the decider says what it means. */
export type RevocationTryOutcome =
  | { kind: 'revoked' }
  /** `retryable`: Google was unreachable or refused; false when the token cannot even be opened. */
  | { kind: 'failed'; message: string; retryable: boolean }
  /** The same account authorized again: revoking the old token would end the new grant too. */
  | { kind: 'superseded' };

export type GoogleRevocationCommand = {
  type: 'RecordRevocationTry';
  data: { pendingVersion: number; outcome: RevocationTryOutcome; at: string };
};

export interface GoogleRevocationState {
  status: 'none' | 'pending' | 'closed';
  attempts: number;
  lastAt: string | null;
  lastMessage: string | null;
}

export class GoogleRevocationError extends Error {
  constructor(
    readonly code: 'NO_PENDING_REVOCATION',
    message: string,
  ) {
    super(message);
    this.name = 'GoogleRevocationError';
  }
}

const initialState = (): GoogleRevocationState => ({ status: 'none', attempts: 0, lastAt: null, lastMessage: null });

function evolve(state: GoogleRevocationState, event: GoogleRevocationEvent): GoogleRevocationState {
  if (event.type === 'GoogleRevocationPending') {
    return { status: 'pending', attempts: 1, lastAt: event.data.failedAt, lastMessage: event.data.message };
  }
  const { attempt, final, at, message } = event.data;
  return { status: final ? 'closed' : state.status, attempts: attempt, lastAt: at, lastMessage: message };
}

function decide(command: GoogleRevocationCommand, state: GoogleRevocationState): GoogleRevocationEvent[] {
  if (state.status === 'none') {
    throw new GoogleRevocationError('NO_PENDING_REVOCATION', 'No revocation is pending here');
  }
  // A try recorded after the last one (another instance's, raced): nothing is left to decide.
  if (state.status === 'closed') return [];
  const { pendingVersion, outcome, at } = command.data;
  const attempt = state.attempts + 1;
  const ok = outcome.kind === 'revoked';
  const message =
    outcome.kind === 'failed'
      ? outcome.message
      : outcome.kind === 'superseded'
        ? 'Superseded: the same account authorized Gmail again'
        : null;
  const givesUp = outcome.kind === 'failed' && (!outcome.retryable || attempt >= MAX_REVOCATION_ATTEMPTS);
  const final = ok || outcome.kind === 'superseded' || givesUp;
  return [{ type: 'GoogleRevocationAttempted', data: { pendingVersion, ok, message, attempt, final, at } }];
}

export const googleRevocationDecider = { decide, evolve, initialState };

/** When the next retry is due: exponential back-off from the last try, capped. */
export function nextRetryAt(state: GoogleRevocationState): Date | null {
  if (state.status !== 'pending' || state.lastAt === null) return null;
  const wait = Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** (state.attempts - 1));
  return new Date(Date.parse(state.lastAt) + wait);
}

export function isRetryDue(state: GoogleRevocationState, now: Date): boolean {
  const due = nextRetryAt(state);
  return due !== null && now.getTime() >= due.getTime();
}
