import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../application/app-config';
import { EraseMailConfigHandler } from '../application/mail-config/commands/erase-mail-config.handler';
import { CompleteGmailAuthorizationHandler } from '../application/gmail/commands/complete-gmail-authorization.handler';
import { RevokeGmailAuthorizationHandler } from '../application/gmail/commands/revoke-gmail-authorization.handler';
import { OpenGmailConsentHandler } from '../application/gmail/commands/open-gmail-consent.handler';
import { StartGmailAuthorizationHandler } from '../application/gmail/commands/start-gmail-authorization.handler';
import { AuthorizedGmailTenants } from '../application/gmail/authorized-gmail-tenants';
import { CheckGmailConsentsHandler } from '../application/gmail/commands/check-gmail-consents.handler';
import { GmailModeSender } from '../application/gmail/gmail-mode.sender';
import { GmailScheduler } from '../application/gmail/gmail-scheduler';
import { GMAIL_SETTINGS, gmailSettingsFrom } from '../application/gmail/gmail-settings';
import { GoogleRevocationQueue } from '../application/gmail/google-revocation-queue';
import { RetryGoogleRevocationsHandler } from '../application/gmail/commands/retry-google-revocations.handler';
import { GMAIL_METRICS, GmailMetrics } from '../application/metrics/gmail-metrics';
import { CLOCK, Clock } from '../application/ports/clock.port';
import { EVENT_STORE, EventStore } from '../application/ports/event-store.port';
import { GMAIL_TRANSPORT, GmailTransport } from '../application/ports/gmail-transport.port';
import { GOOGLE_CONSENT, GOOGLE_OAUTH, GoogleOAuth } from '../application/ports/google-oauth.port';
import { OAUTH_STATE_STORE, OAuthStateStore } from '../application/ports/oauth-state.port';
import { ModeSenderRegistry } from '../application/sending/mode-senders';
import { MasterKeyRing } from '../infrastructure/crypto/key-ring';
import { AccessTokenCache } from '../infrastructure/google/access-token-cache';
import { GmailApiTransport } from '../infrastructure/google/gmail-api.transport';
import { PassportGoogleConsent } from '../infrastructure/google/google-consent';
import { GoogleOAuthAdapter } from '../infrastructure/google/google-oauth.adapter';
import { SignedOAuthStateStore } from '../infrastructure/oauth-state/signed-oauth-state.store';
import { DeliveryLogModule } from './delivery-log.module';
import { GmailGrantsModule } from './gmail-grants.module';
import { MailConfigModule } from './mail-config.module';
import { SendingModule } from './sending.module';

/**
 * Gmail mode: the OAuth round trip (the consent through passport-google-oauth20, tokens after it
 * through google-auth-library), tenant revocation, the consent check and the Gmail API
 * transport (registered as the gmail sender of the send use case). Without
 * GOOGLE_CLIENT_ID/SECRET/REDIRECT_URI the Google providers are null and the Gmail routes
 * answer 503 naming what is missing. No controllers: HTTP adds GmailHttpModule.
 */
@Module({
  imports: [MailConfigModule, SendingModule, GmailGrantsModule, DeliveryLogModule],
  providers: [
    {
      provide: GOOGLE_OAUTH,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        config.google ? new GoogleOAuthAdapter(config.google, config.googleEndpoints) : null,
    },
    {
      provide: GMAIL_TRANSPORT,
      inject: [GOOGLE_OAUTH, APP_CONFIG, GMAIL_METRICS],
      useFactory: (oauth: GoogleOAuth | null, config: AppConfig, metrics: GmailMetrics) =>
        oauth ? new GmailApiTransport(new AccessTokenCache(oauth, metrics), config.googleEndpoints.gmailApiUrl) : null,
    },
    {
      provide: OAUTH_STATE_STORE,
      inject: [EVENT_STORE, MasterKeyRing, CLOCK],
      useFactory: (store: EventStore, ring: MasterKeyRing, clock: Clock) =>
        new SignedOAuthStateStore(store, ring, clock),
    },
    {
      provide: GOOGLE_CONSENT,
      inject: [APP_CONFIG, OAUTH_STATE_STORE],
      useFactory: (config: AppConfig, states: OAuthStateStore) =>
        config.google ? new PassportGoogleConsent(config.google, config.googleEndpoints, states) : null,
    },
    { provide: GMAIL_SETTINGS, inject: [APP_CONFIG], useFactory: gmailSettingsFrom },
    StartGmailAuthorizationHandler,
    OpenGmailConsentHandler,
    CompleteGmailAuthorizationHandler,
    RevokeGmailAuthorizationHandler,
    GoogleRevocationQueue,
    AuthorizedGmailTenants,
    CheckGmailConsentsHandler,
    RetryGoogleRevocationsHandler,
    // Here, not in MailConfigModule: erasing revokes the Gmail grant, which needs Google and the retry queue.
    EraseMailConfigHandler,
    GmailScheduler,
    GmailModeSender,
  ],
  exports: [GMAIL_TRANSPORT, GOOGLE_CONSENT],
})
export class GmailModule implements OnModuleInit {
  constructor(
    private readonly senders: ModeSenderRegistry,
    private readonly gmailSender: GmailModeSender,
    @Inject(GMAIL_TRANSPORT) private readonly transport: GmailTransport | null,
  ) {}

  /** Unconfigured, no sender is registered: a tenant in gmail mode then gets the use case's 503. */
  onModuleInit(): void {
    if (this.transport) this.senders.register(this.gmailSender);
  }
}
