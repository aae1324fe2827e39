import { Module } from '@nestjs/common';
import { ChangeDisplayNameHandler } from '../application/mail-config/commands/change-display-name.handler';
import { ProvisionMailConfigHandler } from '../application/mail-config/commands/provision-mail-config.handler';
import { CredentialStatusService } from '../application/mail-config/credential-status';
import { DecideAndAppend } from '../application/mail-config/decide-and-append';
import { MailConfigPresenter } from '../application/mail-config/mail-config.presenter';
import { GetMailConfigHistoryHandler } from '../application/mail-config/queries/get-mail-config-history.handler';
import { GetMailConfigHandler } from '../application/mail-config/queries/get-mail-config.handler';
import { StateReader } from '../application/mail-config/state-reader';
import { ProvisionedUsernames } from '../application/mail-config/provisioned-usernames';
import { UsernameClaims } from '../application/mail-config/username-claims';
import { FindDuplicateUsernamesHandler } from '../application/mail-config/queries/find-duplicate-usernames.handler';

/**
 * Tenant configuration use cases (provision, view with time travel, history; mode and SMTP settings are in
 * SendingModule, since activating SMTP runs the Test)
 * and the read → decide → append machinery other features share; erasure is in GmailModule, as it
 * revokes the Gmail grant. No controllers: the CLI imports this module as it is; HTTP adds
 * MailConfigHttpModule.
 */
@Module({
  providers: [
    StateReader,
    DecideAndAppend,
    CredentialStatusService,
    MailConfigPresenter,
    ProvisionedUsernames,
    UsernameClaims,
    ProvisionMailConfigHandler,
    ChangeDisplayNameHandler,
    GetMailConfigHandler,
    GetMailConfigHistoryHandler,
    FindDuplicateUsernamesHandler,
  ],
  exports: [StateReader, DecideAndAppend, CredentialStatusService, MailConfigPresenter, ProvisionedUsernames],
})
export class MailConfigModule {}
