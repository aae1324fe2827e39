import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../app-config';
import { browserBindingOf, type ConsentOpened, handoffRefusedAt, newBrowserSecret } from '../../common/consent-browser';
import { logContext } from '../../common/log-context';
import { OAUTH_STATE_STORE, type OAuthStateStore } from '../../ports/oauth-state.port';
import { MICROSOFT_CONSENT, type MicrosoftConsent } from '../microsoft.port';
import { requireMicrosoft } from '../microsoft-preconditions';
import { OpenMicrosoftConsentCommand } from './open-microsoft-consent.command';

@CommandHandler(OpenMicrosoftConsentCommand)
export class OpenMicrosoftConsentHandler implements ICommandHandler<OpenMicrosoftConsentCommand> {
  private readonly logger = new Logger('MicrosoftAuthorization');

  constructor(
    @Inject(MICROSOFT_CONSENT) private readonly consent: MicrosoftConsent | null,
    @Inject(OAUTH_STATE_STORE) private readonly states: OAuthStateStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ handoff, context }: OpenMicrosoftConsentCommand): Promise<ConsentOpened> {
    const consent = requireMicrosoft(this.consent, this.config);
    const handed = await this.states.consumeHandoff(handoff);
    if (!handed.ok) {
      this.logger.warn(logContext(context), `Microsoft 365 consent link refused: ${handed.reason}`);
      return {
        ok: false,
        location: handoffRefusedAt('microsoft', handed.returnUrl, this.config.oauthReturnUrlOrigins),
      };
    }
    const browserSecret = newBrowserSecret();
    const started = await consent.begin({ ...handed.binding, browser: browserBindingOf(browserSecret) });
    return { ok: true, ...started, browserSecret };
  }
}
