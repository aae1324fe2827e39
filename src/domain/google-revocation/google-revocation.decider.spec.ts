import { DeciderSpecification } from '../../../test/support/decider-specification';
import {
  type GoogleRevocationEvent,
  type GoogleRevocationState,
  googleRevocationDecider,
  isRetryDue,
  MAX_REVOCATION_ATTEMPTS,
  nextRetryAt,
  type RevocationTryOutcome,
} from './google-revocation.decider';

const { given } = DeciderSpecification.for(googleRevocationDecider);

const T0 = '2026-12-01T10:00:00.000Z';
const AT = '2026-12-01T12:00:00.000Z';
const pending: GoogleRevocationEvent = {
  type: 'GoogleRevocationPending',
  data: {
    tenantId: 't-1',
    account: 'help@acme.example',
    refreshToken: { keyId: 'dek:k1', ciphertext: 'ct' },
    message: 'Google answered 503',
    failedAt: T0,
  },
};
const tried = (attempt: number, final = false, at = AT): GoogleRevocationEvent => ({
  type: 'GoogleRevocationAttempted',
  data: { pendingVersion: 1, ok: false, message: 'Google answered 503', attempt, final, at },
});
const recordTry = (outcome: RevocationTryOutcome) => ({
  type: 'RecordRevocationTry' as const,
  data: { pendingVersion: 1, outcome, at: AT },
});
const unavailable: RevocationTryOutcome = { kind: 'failed', message: 'Google answered 503', retryable: true };
const fold = (events: GoogleRevocationEvent[]): GoogleRevocationState =>
  events.reduce(googleRevocationDecider.evolve, googleRevocationDecider.initialState());

describe('google revocation decider', () => {
  it('records a revoked try as the final, second attempt after the failure at withdrawal', () => {
    given([pending])
      .when(recordTry({ kind: 'revoked' }))
      .then([
        {
          type: 'GoogleRevocationAttempted',
          data: { pendingVersion: 1, ok: true, message: null, attempt: 2, final: true, at: AT },
        },
      ]);
  });

  it('keeps a retryable failure open for another try', () => {
    given([pending, tried(2)])
      .when(recordTry(unavailable))
      .then([
        {
          type: 'GoogleRevocationAttempted',
          data: { pendingVersion: 1, ok: false, message: 'Google answered 503', attempt: 3, final: false, at: AT },
        },
      ]);
  });

  it(`gives up on the ${MAX_REVOCATION_ATTEMPTS}th try`, () => {
    const history = [pending, ...Array.from({ length: MAX_REVOCATION_ATTEMPTS - 2 }, (_, i) => tried(i + 2))];
    given(history)
      .when(recordTry(unavailable))
      .then([
        {
          type: 'GoogleRevocationAttempted',
          data: {
            pendingVersion: 1,
            ok: false,
            message: 'Google answered 503',
            attempt: MAX_REVOCATION_ATTEMPTS,
            final: true,
            at: AT,
          },
        },
      ]);
  });

  it('gives up at once when the token cannot be opened', () => {
    const message = 'The refresh token could not be opened (key erased)';
    given([pending])
      .when(recordTry({ kind: 'failed', message, retryable: false }))
      .then([
        {
          type: 'GoogleRevocationAttempted',
          data: { pendingVersion: 1, ok: false, message, attempt: 2, final: true, at: AT },
        },
      ]);
  });

  it('stops without revoking when the same account authorized again', () => {
    given([pending, tried(2)])
      .when(recordTry({ kind: 'superseded' }))
      .then([
        {
          type: 'GoogleRevocationAttempted',
          data: {
            pendingVersion: 1,
            ok: false,
            message: 'Superseded: the same account authorized Gmail again',
            attempt: 3,
            final: true,
            at: AT,
          },
        },
      ]);
  });

  it('decides nothing after a final try (another instance recorded it first)', () => {
    given([pending, tried(2, true)])
      .when(recordTry({ kind: 'revoked' }))
      .then([]);
  });

  it('refuses a try when nothing is pending', () => {
    given([])
      .when(recordTry({ kind: 'revoked' }))
      .then({ name: 'GoogleRevocationError', code: 'NO_PENDING_REVOCATION' });
  });

  describe('back-off', () => {
    it('waits a minute after the failure at withdrawal, then doubles the wait after each try', () => {
      expect(nextRetryAt(fold([pending]))?.toISOString()).toBe('2026-12-01T10:01:00.000Z');
      expect(nextRetryAt(fold([pending, tried(2, false, T0)]))?.toISOString()).toBe('2026-12-01T10:02:00.000Z');
      expect(nextRetryAt(fold([pending, tried(4, false, T0)]))?.toISOString()).toBe('2026-12-01T10:08:00.000Z');
    });

    it('waits 256 minutes before the last try, and never more than six hours', () => {
      expect(nextRetryAt(fold([pending, tried(9, false, T0)]))?.toISOString()).toBe('2026-12-01T14:16:00.000Z');
      // Only a stream written under a higher attempt limit gets here; the cap still holds.
      expect(nextRetryAt(fold([pending, tried(12, false, T0)]))?.toISOString()).toBe('2026-12-01T16:00:00.000Z');
    });

    it('is due at the computed time, not before, and never once final', () => {
      const state = fold([pending]);
      expect(isRetryDue(state, new Date('2026-12-01T10:00:59.999Z'))).toBe(false);
      expect(isRetryDue(state, new Date('2026-12-01T10:01:00.000Z'))).toBe(true);
      expect(isRetryDue(fold([pending, tried(2, true, T0)]), new Date('2027-01-01T00:00:00.000Z'))).toBe(false);
    });
  });
});
