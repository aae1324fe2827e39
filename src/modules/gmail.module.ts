import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../application/app-config';
import { CompleteGmailAuthorization } from '../application/gmail/complete-gmail-authorization';
import { GmailConsentCheck } from '../application/gmail/gmail-consent-check';
import { GmailGrants } from '../application/gmail/gmail-grants';
import { GmailModeSender } from '../application/gmail/gmail-mode.sender';
import { GmailScheduler } from '../application/gmail/gmail-scheduler';
import { GMAIL_SETTINGS, gmailSettingsFrom } from '../application/gmail/gmail-settings';
import { GoogleRevocationRetry } from '../application/gmail/google-revocation-retry';
import { RevokeGmailAuthorization } from '../application/gmail/revoke-gmail-authorization';
import { StartGmailAuthorization } from '../application/gmail/start-gmail-authorization';
import { GMAIL_METRICS, GmailMetrics } from '../application/metrics/gmail-metrics';
import { CLOCK, Clock } from '../application/ports/clock.port';
import { EVENT_STORE, EventStore } from '../application/ports/event-store.port';
import { GMAIL_TRANSPORT, GmailTransport } from '../application/ports/gmail-transport.port';
import { GOOGLE_OAUTH, GoogleOAuth } from '../application/ports/google-oauth.port';
import { OAUTH_STATE_STORE } from '../application/ports/oauth-state.port';
import { ModeSenderRegistry } from '../application/sending/mode-senders';
import { MasterKeyRing } from '../infrastructure/crypto/key-ring';
import { AccessTokenCache } from '../infrastructure/google/access-token-cache';
import { GmailApiTransport } from '../infrastructure/google/gmail-api.transport';
import { GoogleOAuthAdapter } from '../infrastructure/google/google-oauth.adapter';
import { SignedOAuthStateStore } from '../infrastructure/oauth-state/signed-oauth-state.store';
import { GmailAuthorizationController } from '../interfaces/http/gmail/gmail-authorization.controller';
import { GoogleOAuthCallbackController } from '../interfaces/http/gmail/google-oauth-callback.controller';
import { MailConfigModule } from './mail-config.module';
import { SendingModule } from './sending.module';

/**
 * Gmail mode: the OAuth round trip, tenant revocation, the consent check and the Gmail API
 * transport (registered as the gmail sender of the send use case). Without
 * GOOGLE_CLIENT_ID/SECRET/REDIRECT_URI the Google providers are null and the Gmail routes
 * answer 503 naming what is missing.
 */
@Module({
  imports: [MailConfigModule, SendingModule],
  controllers: [GmailAuthorizationController, GoogleOAuthCallbackController],
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
    { provide: GMAIL_SETTINGS, inject: [APP_CONFIG], useFactory: gmailSettingsFrom },
    StartGmailAuthorization,
    CompleteGmailAuthorization,
    RevokeGmailAuthorization,
    GoogleRevocationRetry,
    GmailGrants,
    GmailConsentCheck,
    GmailScheduler,
    GmailModeSender,
  ],
  exports: [GMAIL_TRANSPORT, GmailGrants],
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
