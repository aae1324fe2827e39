import { Module } from '@nestjs/common';
import { GmailGrants } from '../application/gmail/gmail-grants';
import { MailConfigModule } from './mail-config.module';

/**
 * The one way a Google-side revocation is recorded, on its own so both the send use case
 * (SendingModule: its fallback to the default mode) and GmailModule (which imports SendingModule)
 * share it without a module cycle.
 */
@Module({ imports: [MailConfigModule], providers: [GmailGrants], exports: [GmailGrants] })
export class GmailGrantsModule {}
