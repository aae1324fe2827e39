import { ApplicationError } from '../common/application-error';

/** Gmail mode needs an OAuth client; these configuration variables are not set. */
export class GoogleNotConfiguredError extends ApplicationError {
  constructor(readonly missing: string[]) {
    super(
      'GOOGLE_NOT_CONFIGURED',
      `Gmail mode is not available: the service is missing ${missing.join(', ')}`,
      undefined,
      {
        missing,
      },
    );
  }
}

/** The returnUrl of an authorization is not one the service may send a browser to. */
export class InvalidReturnUrlError extends ApplicationError {
  constructor(message: string) {
    super('INVALID_RETURN_URL', message, 'returnUrl');
  }
}
