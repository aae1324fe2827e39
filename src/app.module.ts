import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { DestinationStream } from 'pino';
import { rootLogger } from './infrastructure/logging/logger-options';
import { LoggingModule } from './infrastructure/logging/request-logger';
import { AuditHttpModule } from './modules/audit-http.module';
import { CoreModule, ServiceOptions } from './modules/core.module';
import { CapabilitiesModule } from './modules/capabilities.module';
import { DeliveryLogHttpModule } from './modules/delivery-log-http.module';
import { GmailHttpModule } from './modules/gmail-http.module';
import { GmailModule } from './modules/gmail.module';
import { MicrosoftModule } from './modules/microsoft.module';
import { HttpModule, HttpOptions } from './modules/http.module';
import { MailConfigHttpModule } from './modules/mail-config-http.module';
import { MailConfigModule } from './modules/mail-config.module';
import { ProjectionsModule } from './modules/projections.module';
import { SendingHttpModule } from './modules/sending-http.module';
import { SendingModule } from './modules/sending.module';
import { SettingsModule } from './modules/settings.module';
import { WebhooksModule } from './modules/webhooks.module';

/** The features' use cases (what the CLI runs on too)… */
const USE_CASES = [MailConfigModule, SendingModule, GmailModule];
/** …and their routes: each *HttpModule brings only controllers (and their guards). */
const ROUTES = [
  MailConfigHttpModule,
  AuditHttpModule,
  ProjectionsModule,
  SendingHttpModule,
  DeliveryLogHttpModule,
  GmailHttpModule,
  CapabilitiesModule,
];
/** Modules holding both their use cases and their routes: the settings page, the Microsoft 365 mode, webhooks. */
const PAGES = [SettingsModule, MicrosoftModule, WebhooksModule];

/** The HTTP service: the shared core, the HTTP plumbing, the command and query buses, the features. */
@Module({})
export class AppModule {
  static register(options: ServiceOptions & HttpOptions & { logStream?: DestinationStream }): DynamicModule {
    const { config } = options;
    return {
      module: AppModule,
      imports: [
        LoggingModule.register(rootLogger(config.logLevel, config.nodeEnv !== 'production', options.logStream)),
        CoreModule.register(options),
        HttpModule.register(options),
        CqrsModule.forRoot(),
        ...USE_CASES,
        ...ROUTES,
        ...PAGES,
      ],
    };
  }
}
