import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import { destination } from 'pino';
import { RotateKeysHandler } from '../application/keys/commands/rotate-keys.handler';
import { CIPHER } from '../application/ports/cipher.port';
import { KEY_ROTATION, MASTER_KEYS } from '../application/ports/key-rotation.port';
import { QuarantineEventHandler } from '../application/projections/commands/quarantine-event.handler';
import { RebuildProjectionsHandler } from '../application/projections/commands/rebuild-projections.handler';
import { GetDashboardTenantsHandler } from '../application/projections/queries/get-dashboard-tenants.handler';
import { EventQuarantine } from '../application/projections/event-quarantine';
import { ListQuarantinedEventsHandler } from '../application/projections/queries/list-quarantined-events.handler';
import { MasterKeyRing } from '../infrastructure/crypto/key-ring';
import { loggerOptions } from '../infrastructure/logging/logger-options';
import { type ReadModelAdapters } from '../infrastructure/read-models/read-model-adapters';
import { CoreModule, ServiceOptions } from './core.module';
import { MailConfigModule } from './mail-config.module';
import { READ_MODEL_PROVIDERS, READ_MODELS } from './read-model.providers';
import { SendingModule } from './sending.module';

/**
 * What the operator CLI runs on: the service's own core and feature modules, without HTTP and
 * without the live projection runner (a CLI process must not start following the event store).
 * The operator-only commands (projections rebuild, keys rotate) have their handlers here.
 * Logs go to stderr, so stdout carries only the command's output.
 */
@Module({})
export class CliModule implements OnApplicationShutdown {
  constructor(@Inject(READ_MODELS) private readonly readModels: ReadModelAdapters) {}

  static register(options: ServiceOptions & { logLevel: string }): DynamicModule {
    return {
      module: CliModule,
      imports: [
        LoggerModule.forRoot(loggerOptions(options.logLevel, false, destination({ fd: 2, sync: true }))),
        CoreModule.register(options),
        CqrsModule.forRoot(),
        // Use cases only: no controllers, so no guards and no throttler.
        MailConfigModule,
        SendingModule,
      ],
      providers: [
        ...READ_MODEL_PROVIDERS,
        { provide: KEY_ROTATION, useExisting: CIPHER },
        { provide: MASTER_KEYS, useExisting: MasterKeyRing },
        RebuildProjectionsHandler,
        RotateKeysHandler,
        // `tenant list` reads what the dashboard reads.
        GetDashboardTenantsHandler,
        EventQuarantine,
        QuarantineEventHandler,
        ListQuarantinedEventsHandler,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.readModels.close();
  }
}
