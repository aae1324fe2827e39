import { OAUTH_STATE_STORE, type OAuthStateStore } from '../application/ports/oauth-state.port';
import { Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../application/app-config';
import { GMAIL_SETTINGS, gmailSettingsFrom } from '../application/gmail/gmail-settings';
import { AuthorizedMicrosoftTenants } from '../application/microsoft/authorized-microsoft-tenants';
import { MicrosoftScheduler } from '../application/microsoft/microsoft-scheduler';
import { MICROSOFT_HANDLERS } from '../application/microsoft/commands/handlers';
import { MicrosoftGrants } from '../application/microsoft/microsoft-grants';
import { MicrosoftModeSender } from '../application/microsoft/microsoft-mode.sender';
import { MICROSOFT_CONSENT, MICROSOFT_TRANSPORT } from '../application/microsoft/microsoft.port';
import { CLOCK, Clock } from '../application/ports/clock.port';
import { EVENT_STORE, EventStore } from '../application/ports/event-store.port';
import { ModeSenderRegistry } from '../application/sending/mode-senders';
import { MasterKeyRing } from '../infrastructure/crypto/key-ring';
import { GraphMailTransport, MicrosoftAccessTokens } from '../infrastructure/microsoft/graph.transport';
import { HttpsClient, trustedCas } from '../infrastructure/microsoft/https-client';
import { MsalMicrosoft } from '../infrastructure/microsoft/msal-microsoft';
import { SignedOAuthStateStore } from '../infrastructure/oauth-state/signed-oauth-state.store';
import { MicrosoftAuthorizationController } from '../interfaces/http/microsoft/microsoft-authorization.controller';
import { MicrosoftOAuthCallbackController } from '../interfaces/http/microsoft/microsoft-oauth-callback.controller';
import { MailConfigModule } from './mail-config.module';
import { SendingModule } from './sending.module';

const MICROSOFT_HTTP = Symbol('MICROSOFT_HTTP');
const MSAL = Symbol('MSAL');

/**
 * Microsoft 365 mode: the consent through MSAL Node (authorization code flow with PKCE, the same
 * signed single-use state as Gmail), tenant revocation, and Graph sendMail registered as the
 * microsoft sender of the send use case. Without MICROSOFT_CLIENT_ID/SECRET/REDIRECT_URI the
 * providers are null and the routes answer 503 naming what is missing.
 */
@Module({
  imports: [MailConfigModule, SendingModule],
  controllers: [MicrosoftAuthorizationController, MicrosoftOAuthCallbackController],
  providers: [
    {
      provide: MICROSOFT_HTTP,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        config.microsoft ? new HttpsClient(trustedCas(config.microsoftEndpoints.extraCaFile)) : null,
    },
    {
      // The same signed single-use state as Gmail: one store, event streams every instance shares.
      provide: OAUTH_STATE_STORE,
      inject: [EVENT_STORE, MasterKeyRing, CLOCK],
      useFactory: (store: EventStore, ring: MasterKeyRing, clock: Clock) =>
        new SignedOAuthStateStore(store, ring, clock),
    },
    {
      provide: MSAL,
      inject: [APP_CONFIG, MICROSOFT_HTTP, OAUTH_STATE_STORE],
      useFactory: (config: AppConfig, http: HttpsClient | null, states: OAuthStateStore) =>
        config.microsoft && http ? new MsalMicrosoft(config.microsoft, config.microsoftEndpoints, http, states) : null,
    },
    { provide: MICROSOFT_CONSENT, inject: [MSAL], useFactory: (msal: MsalMicrosoft | null) => msal },
    {
      provide: MICROSOFT_TRANSPORT,
      inject: [MSAL, MICROSOFT_HTTP, APP_CONFIG],
      useFactory: (msal: MsalMicrosoft | null, http: HttpsClient | null, config: AppConfig) =>
        msal && http
          ? new GraphMailTransport(new MicrosoftAccessTokens(msal), http, config.microsoftEndpoints.graphUrl)
          : null,
    },
    ...MICROSOFT_HANDLERS,
    MicrosoftGrants,
    MicrosoftModeSender,
    AuthorizedMicrosoftTenants,
    { provide: GMAIL_SETTINGS, inject: [APP_CONFIG], useFactory: gmailSettingsFrom },
    MicrosoftScheduler,
  ],
})
export class MicrosoftModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly senders: ModeSenderRegistry,
    private readonly sender: MicrosoftModeSender,
    @Inject(MICROSOFT_TRANSPORT) private readonly transport: GraphMailTransport | null,
    @Inject(MICROSOFT_HTTP) private readonly http: HttpsClient | null,
  ) {}

  /** Unconfigured, no sender is registered: a tenant in microsoft mode then gets the use case's 503. */
  onModuleInit(): void {
    if (this.transport) this.senders.register(this.sender);
  }

  onApplicationShutdown(): void {
    this.http?.close();
  }
}
