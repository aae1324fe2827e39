import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../application/app-config';
import { CLOCK, type Clock } from '../application/ports/clock.port';
import { SUPPORT_SESSION_STORE, type SupportSessionStore } from '../application/ports/support-session.port';
import { dataDirPath } from '../infrastructure/data-dir-layout';
import { PostgresDatabase } from '../infrastructure/postgres/postgres-database';
import { PostgresSupportSessionStore } from '../infrastructure/postgres/postgres.support-session.store';
import { OidcSupportSignIn } from '../infrastructure/support-oidc/oidc-support-sign-in';
import { SqliteSupportSessionStore } from '../infrastructure/support-sessions/sqlite.support-session.store';
import { SupportSessions } from '../infrastructure/support-sessions/support-sessions';
import { CALLER_TOKENS, type CallerTokens } from '../interfaces/http/common/caller';
import { SUPPORT_OIDC, SupportOidcController } from '../interfaces/http/dashboard/support-oidc.controller';
import { POSTGRES_DATABASE } from './core.module';

/**
 * Who support staff are: server-side sessions behind the dashboard's cookie (in DATA_DIR, or in
 * PostgreSQL in the replicated shape, so every instance honours them) and the company's OpenID
 * Connect sign-in that starts one. Global: the auth guard resolves sessions on every support route.
 */
@Global()
@Module({
  controllers: [SupportOidcController],
  providers: [
    {
      provide: SUPPORT_SESSION_STORE,
      inject: [APP_CONFIG, POSTGRES_DATABASE],
      useFactory: (config: AppConfig, database: PostgresDatabase | null): SupportSessionStore =>
        database
          ? new PostgresSupportSessionStore(database.pool)
          : new SqliteSupportSessionStore(dataDirPath(config.dataDir, 'supportSessions')),
    },
    {
      provide: SupportSessions,
      inject: [SUPPORT_SESSION_STORE, APP_CONFIG, CLOCK, CALLER_TOKENS],
      useFactory: (store: SupportSessionStore, config: AppConfig, clock: Clock, tokens: CallerTokens) =>
        new SupportSessions(store, {
          clock,
          idleSeconds: config.supportSessionIdleSeconds,
          supportToken: tokens.supportToken,
        }),
    },
    {
      provide: SUPPORT_OIDC,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.supportOidc ? new OidcSupportSignIn(config.supportOidc) : null),
    },
  ],
  exports: [SupportSessions],
})
export class SupportSignInModule implements OnApplicationShutdown {
  constructor(@Inject(SupportSessions) private readonly sessions: SupportSessions) {}

  async onApplicationShutdown(): Promise<void> {
    await this.sessions.close();
  }
}
