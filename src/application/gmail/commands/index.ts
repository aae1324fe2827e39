/** Gmail's use cases as the interface layer dispatches them (messages only; handlers stay in their files). */
export { CheckGmailConsentsCommand } from './check-gmail-consents.command';
export { CompleteGmailAuthorizationCommand } from './complete-gmail-authorization.command';
export { OpenGmailConsentCommand } from './open-gmail-consent.command';
export { RetryGoogleRevocationsCommand } from './retry-google-revocations.command';
export { RevokeGmailAuthorizationCommand } from './revoke-gmail-authorization.command';
export { type GmailAuthorizationStarted, StartGmailAuthorizationCommand } from './start-gmail-authorization.command';
