import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { requireActive } from '../../../domain/mail-config/mail-config.state';
import { APP_CONFIG, type AppConfig } from '../../app-config';
import { allowedReturnUrl, returnOrigins } from '../../gmail/gmail-preconditions';
import { StateReader } from '../../mail-config/state-reader';
import { MICROSOFT_CONSENT, type MicrosoftConsent } from '../microsoft.port';
import { requireMicrosoft } from '../microsoft-preconditions';
import {
  type MicrosoftAuthorizationStarted,
  StartMicrosoftAuthorizationCommand,
} from './start-microsoft-authorization.command';

@CommandHandler(StartMicrosoftAuthorizationCommand)
export class StartMicrosoftAuthorizationHandler implements ICommandHandler<StartMicrosoftAuthorizationCommand> {
  constructor(
    @Inject(MICROSOFT_CONSENT) private readonly consent: MicrosoftConsent | null,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reader: StateReader,
  ) {}

  async execute({
    tenantId,
    returnUrl,
    context,
  }: StartMicrosoftAuthorizationCommand): Promise<MicrosoftAuthorizationStarted> {
    const consent = requireMicrosoft(this.consent, this.config);
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
