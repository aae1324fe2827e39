import { CheckMicrosoftConsentsHandler } from './check-microsoft-consents.handler';
import { CompleteMicrosoftAuthorizationHandler } from './complete-microsoft-authorization.handler';
import { OpenMicrosoftConsentHandler } from './open-microsoft-consent.handler';
import { RevokeMicrosoftAuthorizationHandler } from './revoke-microsoft-authorization.handler';
import { StartMicrosoftAuthorizationHandler } from './start-microsoft-authorization.handler';

/** Microsoft 365 mode's handlers, for the feature module to register (never imported by interfaces). */
export const MICROSOFT_HANDLERS = [
  StartMicrosoftAuthorizationHandler,
  OpenMicrosoftConsentHandler,
  CompleteMicrosoftAuthorizationHandler,
  RevokeMicrosoftAuthorizationHandler,
  CheckMicrosoftConsentsHandler,
];
