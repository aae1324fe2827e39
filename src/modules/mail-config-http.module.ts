import { Module } from '@nestjs/common';
import { DisplayNameController } from '../interfaces/http/mail-config/display-name.controller';
import { MailConfigController } from '../interfaces/http/mail-config/mail-config.controller';
import { MailConfigModule } from './mail-config.module';

/** The tenant configuration routes, `v1/tenants/:tenantId/mail-config`. */
@Module({ imports: [MailConfigModule], controllers: [MailConfigController, DisplayNameController] })
export class MailConfigHttpModule {}
