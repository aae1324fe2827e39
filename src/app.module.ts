import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { loggerOptions } from './infrastructure/logging/logger-options';
import { AuthGuard } from './interfaces/http/common/auth.guard';
import { jsonBody } from './interfaces/http/common/json-body';
import { ProblemFilter } from './interfaces/http/common/problem.filter';
import { requestIdMiddleware } from './interfaces/http/common/request-context';
import { HealthController } from './interfaces/http/health/health.controller';
import { CoreModule, ServiceOptions } from './modules/core.module';
import { GmailModule } from './modules/gmail.module';
import { MailConfigModule } from './modules/mail-config.module';
import { ProjectionsModule } from './modules/projections.module';
import { SecurityModule } from './modules/security.module';
import { SendingModule } from './modules/sending.module';

/** Feature modules; each team member adds theirs here. */
const FEATURES = [MailConfigModule, SecurityModule, ProjectionsModule, SendingModule, GmailModule];

@Module({})
export class AppModule implements NestModule {
  static register(options: ServiceOptions & { logStream?: DestinationStream }): DynamicModule {
    const { config } = options;
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerOptions(config.logLevel, config.nodeEnv !== 'production', options.logStream)),
        CoreModule.register(options),
        CqrsModule.forRoot(),
        ...FEATURES,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Messages may carry attachments (10 MiB); every other body is small (64 KiB).
    consumer
      .apply(requestIdMiddleware, jsonBody('10mb'))
      .forRoutes('v1/tenants/:tenantId/messages')
      .apply(requestIdMiddleware, jsonBody('64kb'))
      .forRoutes('*path');
  }
}
