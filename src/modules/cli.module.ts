import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import { join } from 'node:path';
import { destination } from 'pino';
import { APP_CONFIG, AppConfig } from '../application/app-config';
import { RotateKeysHandler } from '../application/keys/commands/rotate-keys.handler';
import { CIPHER } from '../application/ports/cipher.port';
import { KEY_ROTATION, MASTER_KEYS } from '../application/ports/key-rotation.port';
import { READ_MODEL_STORE, ReadModelStore } from '../application/ports/read-model.port';
import { RebuildProjectionsHandler } from '../application/projections/commands/rebuild-projections.handler';
import { MasterKeyRing } from '../infrastructure/crypto/key-ring';
import { loggerOptions } from '../infrastructure/logging/logger-options';
import { READ_MODELS_FILE, SqliteReadModelStore } from '../infrastructure/read-models/sqlite.read-model-store';
import { CoreModule, ServiceOptions } from './core.module';
import { MailConfigModule } from './mail-config.module';
import { SendingModule } from './sending.module';

/**
 * What the operator CLI runs on: the service's own core and feature modules, without HTTP and
 * without the live projection runner (a CLI process must not start following the event store).
 * The operator-only commands (projections rebuild, keys rotate) have their handlers here.
 * Logs go to stderr, so stdout carries only the command's output.
 */
@Module({})
export class CliModule implements OnApplicationShutdown {
  constructor(@Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore) {}

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
        {
          provide: READ_MODEL_STORE,
          useFactory: (config: AppConfig) => new SqliteReadModelStore(join(config.dataDir, READ_MODELS_FILE)),
          inject: [APP_CONFIG],
        },
        { provide: KEY_ROTATION, useExisting: CIPHER },
        { provide: MASTER_KEYS, useExisting: MasterKeyRing },
        RebuildProjectionsHandler,
        RotateKeysHandler,
      ],
    };
  }

  onApplicationShutdown(): void {
    this.readModels.close();
  }
}
