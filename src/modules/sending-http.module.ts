import { Module } from '@nestjs/common';
import { SendingController } from '../interfaces/http/sending/sending.controller';
import { SmtpTestController } from '../interfaces/http/smtp-test/smtp-test.controller';
import { SendingModule } from './sending.module';

/** `POST v1/tenants/:tenantId/messages` and the Test button, `POST …/smtp/test`. */
@Module({ imports: [SendingModule], controllers: [SendingController, SmtpTestController] })
export class SendingHttpModule {}
