import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { DisplayNameController } from '../interfaces/http/mail-config/display-name.controller';
import { ProvisionedUsernames } from '../application/mail-config/provisioned-usernames';
import { MailConfigController } from '../interfaces/http/mail-config/mail-config.controller';
import { MailConfigModule } from './mail-config.module';

/** The tenant configuration routes, `v1/tenants/:tenantId/mail-config`. */
@Module({ imports: [MailConfigModule], controllers: [MailConfigController, DisplayNameController] })
export class MailConfigHttpModule implements OnApplicationBootstrap {
  constructor(private readonly usernames: ProvisionedUsernames) {}

  /** Otherwise the first provisioning after a start reads every tenant stream while its caller waits. */
  onApplicationBootstrap(): void {
    this.usernames.warmUp();
  }
}
