import { Module } from '@nestjs/common';
import { CLOCK, type Clock } from '../application/ports/clock.port';
import { EVENT_STORE, type EventStore } from '../application/ports/event-store.port';
import { SETTINGS_SESSIONS } from '../application/ports/settings-session.port';
import { CreateSettingsSessionHandler } from '../application/settings/commands/create-settings-session.handler';
import { OpenSettingsSessionHandler } from '../application/settings/commands/open-settings-session.handler';
import { GetSettingsPageHandler } from '../application/settings/queries/get-settings-page.handler';
import { VerifySettingsSessionHandler } from '../application/settings/queries/verify-settings-session.handler';
import { MasterKeyRing } from '../infrastructure/crypto/key-ring';
import { SignedSettingsSessions } from '../infrastructure/settings/signed-settings-sessions';
import { SettingsApiController } from '../interfaces/http/settings/settings-api.controller';
import { SettingsPageController } from '../interfaces/http/settings/settings-page.controller';
import { SettingsSessionGuard } from '../interfaces/http/settings/settings-session.guard';
import { SettingsSessionsController } from '../interfaces/http/settings/settings-sessions.controller';
import { MailConfigModule } from './mail-config.module';

/**
 * The tenant's "Support Email Mode" page: single-use links from the main application, the
 * session they open, and the page's own API, which dispatches the same commands as the HTTP API
 * (mode, SMTP settings and test, provider consent) with the session's tenant and actor.
 */
@Module({
  imports: [MailConfigModule],
  controllers: [SettingsSessionsController, SettingsPageController, SettingsApiController],
  providers: [
    {
      provide: SETTINGS_SESSIONS,
      inject: [EVENT_STORE, MasterKeyRing, CLOCK],
      useFactory: (store: EventStore, ring: MasterKeyRing, clock: Clock) =>
        new SignedSettingsSessions(store, ring, clock),
    },
    SettingsSessionGuard,
    CreateSettingsSessionHandler,
    OpenSettingsSessionHandler,
    VerifySettingsSessionHandler,
    GetSettingsPageHandler,
  ],
})
export class SettingsModule {}
