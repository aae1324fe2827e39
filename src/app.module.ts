import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { loggerOptions } from './infrastructure/logging/logger-options';
import { AuditHttpModule } from './modules/audit-http.module';
import { CoreModule, ServiceOptions } from './modules/core.module';
import { GmailModule } from './modules/gmail.module';
import { MicrosoftModule } from './modules/microsoft.module';
import { HttpModule, HttpOptions } from './modules/http.module';
import { MailConfigHttpModule } from './modules/mail-config-http.module';
import { ProjectionsModule } from './modules/projections.module';
import { SendingModule } from './modules/sending.module';

/** The features served over HTTP, each with its use cases and its routes. */
const FEATURES = [
  MailConfigHttpModule,
  AuditHttpModule,
  ProjectionsModule,
  SendingModule,
  GmailModule,
  MicrosoftModule,
];

/** The HTTP service: the shared core, the HTTP plumbing, the command and query buses, the features. */
@Module({})
export class AppModule {
  static register(options: ServiceOptions & HttpOptions & { logStream?: DestinationStream }): DynamicModule {
    const { config } = options;
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerOptions(config.logLevel, config.nodeEnv !== 'production', options.logStream)),
        CoreModule.register(options),
        HttpModule.register(options),
        CqrsModule.forRoot(),
        ...FEATURES,
      ],
    };
  }
}
