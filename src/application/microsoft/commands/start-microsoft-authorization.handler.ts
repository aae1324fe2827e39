import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { requireActive } from '../../../domain/mail-config/mail-config.state';
import { APP_CONFIG, type AppConfig } from '../../app-config';
import { allowedReturnUrl, returnOrigins } from '../../gmail/gmail-preconditions';
import { StateReader } from '../../mail-config/state-reader';
import { handoffUrl } from '../../common/consent-browser';
import { OAUTH_STATE_STORE, type OAuthStateStore } from '../../ports/oauth-state.port';
import { requireMicrosoft } from '../microsoft-preconditions';
import {
  type MicrosoftAuthorizationStarted,
  StartMicrosoftAuthorizationCommand,
} from './start-microsoft-authorization.command';

@CommandHandler(StartMicrosoftAuthorizationCommand)
export class StartMicrosoftAuthorizationHandler implements ICommandHandler<StartMicrosoftAuthorizationCommand> {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OAUTH_STATE_STORE) private readonly states: OAuthStateStore,
    private readonly reader: StateReader,
  ) {}

  async execute({
    tenantId,
    returnUrl,
    context,
  }: StartMicrosoftAuthorizationCommand): Promise<MicrosoftAuthorizationStarted> {
    const microsoft = requireMicrosoft(this.config.microsoft, this.config);
    const target = allowedReturnUrl(returnUrl, returnOrigins(this.config));
    requireActive((await this.reader.load(tenantId)).state);
    // Not Microsoft's URL yet: a one-time link to this service, so the consent is bound to the browser that opens it.
    const handoff = await this.states.issueHandoff({
      tenantId,
      returnUrl: target,
      actor: context.actor,
      correlationId: context.correlationId,
      ...(context.authenticatedAs === undefined ? {} : { authenticatedAs: context.authenticatedAs }),
    });
    return {
      authorizationUrl: handoffUrl(microsoft.redirectUri, handoff.state),
      expiresAt: handoff.expiresAt.toISOString(),
    };
  }
}
