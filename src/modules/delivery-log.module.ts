import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../application/app-config';
import { GetDeliveryLogHandler } from '../application/delivery-log/queries/get-delivery-log.handler';
import { DELIVERY_LOG, type DeliveryLog } from '../application/ports/delivery-log.port';
import { dataDirPath } from '../infrastructure/data-dir-layout';
import { SqliteDeliveryLog } from '../infrastructure/delivery-log/sqlite.delivery-log';
import { type PostgresDatabase } from '../infrastructure/postgres/postgres-database';
import { PostgresDeliveryLog } from '../infrastructure/postgres/postgres.delivery-log';
import { POSTGRES_DATABASE } from './core.module';
import { MailConfigModule } from './mail-config.module';

/**
 * The delivery log (one record per message) and its query. The send use case writes to it and the
 * erasure empties a tenant's part, so both feature modules import this one; its retention job and
 * route live in DeliveryLogHttpModule (the CLI has no business purging on a timer).
 */
@Module({
  imports: [MailConfigModule],
  providers: [
    {
      provide: DELIVERY_LOG,
      inject: [APP_CONFIG, POSTGRES_DATABASE],
      useFactory: (config: AppConfig, database: PostgresDatabase | null): DeliveryLog =>
        database
          ? new PostgresDeliveryLog(database.pool)
          : new SqliteDeliveryLog(dataDirPath(config.dataDir, 'deliveryLog')),
    },
    GetDeliveryLogHandler,
  ],
  exports: [DELIVERY_LOG],
})
export class DeliveryLogModule implements OnApplicationShutdown {
  constructor(@Inject(DELIVERY_LOG) private readonly log: DeliveryLog) {}

  /** Records still queued are written before the process goes. */
  async onApplicationShutdown(): Promise<void> {
    await this.log.close();
  }
}
