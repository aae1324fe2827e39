import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../app-config';
import { browserBindingOf, type ConsentOpened, handoffRefusedAt, newBrowserSecret } from '../../common/consent-browser';
import { logContext } from '../../common/log-context';
import { GOOGLE_CONSENT, type GoogleConsent } from '../../ports/google-oauth.port';
import { OAUTH_STATE_STORE, type OAuthStateStore } from '../../ports/oauth-state.port';
import { requireGoogle } from '../gmail-preconditions';
import { OpenGmailConsentCommand } from './open-gmail-consent.command';

@CommandHandler(OpenGmailConsentCommand)
export class OpenGmailConsentHandler implements ICommandHandler<OpenGmailConsentCommand> {
  private readonly logger = new Logger('GmailAuthorization');

  constructor(
    @Inject(GOOGLE_CONSENT) private readonly consent: GoogleConsent | null,
    @Inject(OAUTH_STATE_STORE) private readonly states: OAuthStateStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ handoff, context }: OpenGmailConsentCommand): Promise<ConsentOpened> {
    const consent = requireGoogle(this.consent, this.config);
    const handed = await this.states.consumeHandoff(handoff);
    if (!handed.ok) {
      this.logger.warn(logContext(context), `Gmail consent link refused: ${handed.reason}`);
      return { ok: false, location: handoffRefusedAt('gmail', handed.returnUrl, this.config.oauthReturnUrlOrigins) };
    }
    const browserSecret = newBrowserSecret();
    const started = await consent.begin({ ...handed.binding, browser: browserBindingOf(browserSecret) });
    return { ok: true, ...started, browserSecret };
  }
}
