/** Gmail mode needs an OAuth client; these configuration variables are not set. */
export class GoogleNotConfiguredError extends Error {
  constructor(readonly missing: string[]) {
    super(`Gmail mode is not available: the service is missing ${missing.join(', ')}`);
    this.name = 'GoogleNotConfiguredError';
  }
}

/** The returnUrl of an authorization is not one the service may send a browser to. */
export class InvalidReturnUrlError extends Error {
  readonly field = 'returnUrl';

  constructor(message: string) {
    super(message);
    this.name = 'InvalidReturnUrlError';
  }
}
