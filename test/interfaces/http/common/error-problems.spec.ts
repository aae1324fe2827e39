import { ApplicationError } from '../../../../src/application/common/application-error';
import { GoogleNotConfiguredError, InvalidReturnUrlError } from '../../../../src/application/gmail/gmail-errors';
import { UnknownEventTypeError } from '../../../../src/application/mail-config/event-codec';
import { InvalidCursorError } from '../../../../src/application/mail-config/history';
import { CredentialUnavailableError } from '../../../../src/application/ports/cipher.port';
import { ConcurrencyError, EventStoreUnavailableError } from '../../../../src/application/ports/event-store.port';
import { notProvisioned, tenantErased } from '../../../../src/domain/mail-config/mail-config.errors';
import { ERROR_PROBLEMS } from '../../../../src/interfaces/http/common/error-problems';
import { toProblem } from '../../../../src/interfaces/http/common/problem.filter';

const BASE = 'https://smemetrics-email.com/problems/';

describe('the one error → problem table', () => {
  it.each([
    [notProvisioned(), 404, 'not-provisioned'],
    [tenantErased(), 410, 'tenant-erased'],
    [new ConcurrencyError('mailConfig-t', 3, 4), 409, 'concurrent-change'],
    [new EventStoreUnavailableError('down'), 503, 'event-store-unavailable'],
    [new CredentialUnavailableError('integrity', 'cannot open'), 409, 'credential-unavailable'],
    [new CredentialUnavailableError('shredded', 'key shredded'), 410, 'tenant-erased'],
    [new UnknownEventTypeError('mailConfig-t', 'Future', 2), 500, 'unknown-event-type'],
    [new InvalidCursorError(), 400, 'validation'],
    [new GoogleNotConfiguredError(['GOOGLE_CLIENT_ID']), 503, 'gmail-not-configured'],
    [new InvalidReturnUrlError('returnUrl must be on an allowed origin'), 400, 'validation'],
    [new ApplicationError('VERSION_MISMATCH', 'stale'), 412, 'precondition-failed'],
  ])('%s → %i %s', (error, status, slug) => {
    const { problem } = toProblem(error);
    expect(problem).toMatchObject({ status, type: `${BASE}${slug}`, code: (error as { code: string }).code });
  });

  it('keeps the safe extras and names the field of a 400', () => {
    expect(toProblem(new GoogleNotConfiguredError(['GOOGLE_CLIENT_ID'])).problem.missing).toEqual(['GOOGLE_CLIENT_ID']);
    expect(toProblem(new InvalidReturnUrlError('not allowed')).problem.errors).toEqual([
      { field: 'returnUrl', message: 'not allowed' },
    ]);
    expect(toProblem(new CredentialUnavailableError('integrity', 'x')).problem.reason).toBe('integrity');
    expect(toProblem(new EventStoreUnavailableError('down')).headers).toEqual({ 'Retry-After': '5' });
    expect(toProblem(new CredentialUnavailableError('shredded', 'key shredded')).problem.detail).toBe(
      tenantErased().message,
    );
  });

  it('has rows for the sending outcomes, and an unknown code is an internal error', () => {
    for (const code of ['IDEMPOTENCY_IN_PROGRESS', 'IDEMPOTENCY_KEY_REUSED', 'MODE_UNAVAILABLE', 'DELIVERY_FAILED']) {
      expect(ERROR_PROBLEMS[code]).toBeDefined();
    }
    expect(toProblem(new ApplicationError('NO_SUCH_CODE', 'x')).problem.status).toBe(500);
    expect(toProblem(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })).problem.status).toBe(500);
  });
});
