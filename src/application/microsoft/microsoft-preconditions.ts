import { type AppConfig } from '../app-config';
import { ApplicationError } from '../common/application-error';

/** Microsoft 365 mode needs an identity platform app; these configuration variables are not set. */
export class MicrosoftNotConfiguredError extends ApplicationError {
  constructor(readonly missing: string[]) {
    super(
      'MICROSOFT_NOT_CONFIGURED',
      `Microsoft 365 mode is not available: the service is missing ${missing.join(', ')}`,
      undefined,
      { missing },
    );
  }
}

export function requireMicrosoft<T>(microsoft: T | null, config: AppConfig): T {
  if (!microsoft) {
    throw new MicrosoftNotConfiguredError(
      config.microsoftMissing.length ? config.microsoftMissing : ['MICROSOFT_CLIENT_ID'],
    );
  }
  return microsoft;
}
