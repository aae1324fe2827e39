import { requireActive } from '../../../domain/mail-config/mail-config.state';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../app-config';
import { StateReader } from '../../mail-config/state-reader';
import { GOOGLE_CONSENT, type GoogleConsent } from '../../ports/google-oauth.port';
import { allowedReturnUrl, requireGoogle, returnOrigins } from '../gmail-preconditions';
import { GmailAuthorizationStarted, StartGmailAuthorizationCommand } from './start-gmail-authorization.command';

@CommandHandler(StartGmailAuthorizationCommand)
export class StartGmailAuthorizationHandler implements ICommandHandler<StartGmailAuthorizationCommand> {
  constructor(
    @Inject(GOOGLE_CONSENT) private readonly consent: GoogleConsent | null,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reader: StateReader,
  ) {}

  async execute({ tenantId, returnUrl, context }: StartGmailAuthorizationCommand): Promise<GmailAuthorizationStarted> {
    const consent = requireGoogle(this.consent, this.config);
    const target = allowedReturnUrl(returnUrl, returnOrigins(this.config));
    requireActive((await this.reader.load(tenantId)).state);
    const started = await consent.begin({
      tenantId,
      returnUrl: target,
      actor: context.actor,
      correlationId: context.correlationId,
    });
    return { authorizationUrl: started.authorizationUrl, expiresAt: started.expiresAt.toISOString() };
  }
}
