import {
  GrantRevokedError,
  MicrosoftRejectedError,
  MicrosoftUnavailableError,
} from '../../../src/application/microsoft/microsoft.port';
import { HttpTimeoutError } from '../../../src/infrastructure/microsoft/https-client';
import { tokenFailure } from '../../../src/infrastructure/microsoft/microsoft-errors';

/** MSAL's errors carry the token answer's `error`, `error_codes[0]` (errorNo) and the HTTP status. */
const msal = (errorCode: string, errorNo: number | undefined, status: number, text = '') => ({
  name: errorCode === 'invalid_grant' ? 'InteractionRequiredAuthError' : 'ServerError',
  errorCode,
  errorNo: errorNo === undefined ? undefined : String(errorNo),
  status,
  errorMessage: text,
  message: `${errorCode}: ${text}`,
});

describe('the identity platform’s token errors, read by their codes', () => {
  it.each([50173, 700082, 50076, 70008, 70043, 50057, 65001])(
    'invalid_grant with AADSTS%i: the grant is gone',
    (code) => {
      const error = tokenFailure(msal('invalid_grant', code, 400));
      expect(error).toBeInstanceOf(GrantRevokedError);
      expect(error.message).toContain(`AADSTS${code}`);
    },
  );

  it('reads the code from the description when error_codes is missing', () => {
    expect(
      tokenFailure(msal('invalid_grant', undefined, 400, 'AADSTS700082: The refresh token has expired')),
    ).toBeInstanceOf(GrantRevokedError);
  });

  it('does not take the word alone: invalid_grant with a code that is no revocation is a refusal', () => {
    const error = tokenFailure(msal('invalid_grant', 9002313, 400, 'AADSTS9002313: Invalid request'));
    expect(error).toBeInstanceOf(MicrosoftRejectedError);
    expect(tokenFailure(msal('invalid_grant', undefined, 400, 'no code at all'))).toBeInstanceOf(
      MicrosoftRejectedError,
    );
  });

  it.each([
    ['503', msal('temporarily_unavailable', 50196, 503)],
    ['429', msal('http_429', undefined, 429)],
    ['500 with invalid_grant in the body', msal('invalid_grant', 50173, 500)],
    ['a timeout', new HttpTimeoutError()],
  ])('%s is unavailability, never a revocation', (_name, error) => {
    expect(tokenFailure(error)).toBeInstanceOf(MicrosoftUnavailableError);
  });

  it('keeps descriptions out of the message (they may echo what was sent)', () => {
    const error = tokenFailure(msal('invalid_client', 7000215, 401, 'AADSTS7000215: Invalid client secret abc123'));
    expect(error).toBeInstanceOf(MicrosoftRejectedError);
    expect(error.message).not.toContain('abc123');
  });
});
