import { Module } from '@nestjs/common';
import { GmailAuthorizationController } from '../interfaces/http/gmail/gmail-authorization.controller';
import { GoogleConsentGuard } from '../interfaces/http/gmail/google-consent.guard';
import { GoogleOAuthCallbackController } from '../interfaces/http/gmail/google-oauth-callback.controller';
import { GmailModule } from './gmail.module';

/** The Gmail authorization routes and Google's redirect URI (its consent guard with them). */
@Module({
  imports: [GmailModule],
  controllers: [GmailAuthorizationController, GoogleOAuthCallbackController],
  providers: [GoogleConsentGuard],
})
export class GmailHttpModule {}
