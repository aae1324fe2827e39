import { Module } from '@nestjs/common';
import { DeliveryLogRetention } from '../application/delivery-log/delivery-log-retention';
import { DeliveryLogController } from '../interfaces/http/delivery-log/delivery-log.controller';
import { DeliveryLogModule } from './delivery-log.module';

/** `GET v1/tenants/:tenantId/messages`, and the hourly purge of records past their retention. */
@Module({ imports: [DeliveryLogModule], controllers: [DeliveryLogController], providers: [DeliveryLogRetention] })
export class DeliveryLogHttpModule {}
