import { Module } from '@nestjs/common';
import { ProvisionMailConfigHandler } from '../application/mail-config/commands/provision-mail-config.command';
import { MailConfigPresenter } from '../application/mail-config/mail-config.presenter';
import { GetMailConfigHandler } from '../application/mail-config/queries/get-mail-config.query';
import { DecideAndAppend } from '../application/mail-config/decide-and-append';
import { CredentialStatusService } from '../application/mail-config/credential-status';
import { HistoryQuery } from '../application/mail-config/history';
import { MailConfigService } from '../application/mail-config/mail-config.service';
import { StateReader } from '../application/mail-config/state-reader';
import { MailConfigController } from '../interfaces/http/mail-config/mail-config.controller';

/** Tenant configuration: provision, view (with time travel), mode, SMTP settings, history, erasure. */
@Module({
  controllers: [MailConfigController],
  providers: [
    StateReader,
    DecideAndAppend,
    MailConfigService,
    HistoryQuery,
    CredentialStatusService,
    MailConfigPresenter,
    ProvisionMailConfigHandler,
    GetMailConfigHandler,
  ],
  exports: [
    StateReader,
    DecideAndAppend,
    MailConfigService,
    HistoryQuery,
    CredentialStatusService,
    MailConfigPresenter,
  ],
})
export class MailConfigModule {}
