import { Module } from '@nestjs/common';
import { MailConfigCommandHandler } from '../application/mail-config/command-handler';
import { CredentialStatusService } from '../application/mail-config/credential-status';
import { HistoryQuery } from '../application/mail-config/history.query';
import { MailConfigService } from '../application/mail-config/mail-config.service';
import { StateReader } from '../application/mail-config/state-reader';
import { MailConfigController } from '../interfaces/http/mail-config/mail-config.controller';

/** Tenant configuration: provision, view (with time travel), mode, SMTP settings, history, erasure. */
@Module({
  controllers: [MailConfigController],
  providers: [StateReader, MailConfigCommandHandler, MailConfigService, HistoryQuery, CredentialStatusService],
  exports: [StateReader, MailConfigCommandHandler, MailConfigService, HistoryQuery, CredentialStatusService],
})
export class MailConfigModule {}
