/** Microsoft 365 mode's use cases as the interface layer dispatches them (messages only). */
export { CheckMicrosoftConsentsCommand } from './check-microsoft-consents.command';
export { CompleteMicrosoftAuthorizationCommand } from './complete-microsoft-authorization.command';
export { OpenMicrosoftConsentCommand } from './open-microsoft-consent.command';
export {
  type MicrosoftRevocationAnswer,
  RevokeMicrosoftAuthorizationCommand,
} from './revoke-microsoft-authorization.command';
export {
  type MicrosoftAuthorizationStarted,
  StartMicrosoftAuthorizationCommand,
} from './start-microsoft-authorization.command';
