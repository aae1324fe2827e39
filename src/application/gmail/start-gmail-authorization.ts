import { Inject, Injectable } from '@nestjs/common';
import { MailConfigError } from '../../domain/mail-config/mail-config.errors';
import { APP_CONFIG, AppConfig } from '../app-config';
import { CommandContext } from '../mail-config/decide-and-append';
import { StateReader } from '../mail-config/state-reader';
import { GOOGLE_OAUTH, GoogleOAuth } from '../ports/google-oauth.port';
import { OAUTH_STATE_STORE, OAuthStateStore } from '../ports/oauth-state.port';
import { GoogleNotConfiguredError, InvalidReturnUrlError } from './gmail-errors';

export interface GmailAuthorizationStarted {
  authorizationUrl: string;
  expiresAt: string;
}

/** Google for Gmail mode, or the 503 naming what configuration is missing. */
export function requireGoogle(google: GoogleOAuth | null, config: AppConfig): GoogleOAuth {
  if (!google)
    throw new GoogleNotConfiguredError(config.googleMissing.length ? config.googleMissing : ['GOOGLE_CLIENT_ID']);
  return google;
}

/**
 * The browser is sent back to `returnUrl` with the outcome, so it must belong to one of the
 * main application's origins: anything else would make the service an open redirect.
 */
export function allowedReturnUrl(returnUrl: string, origins: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(returnUrl);
  } catch {
    throw new InvalidReturnUrlError('returnUrl must be an absolute http(s) URL');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
    throw new InvalidReturnUrlError('returnUrl must be an absolute http(s) URL without credentials');
  }
  if (!origins.includes(url.origin)) {
    throw new InvalidReturnUrlError(`returnUrl must point to one of the allowed origins (${origins.join(', ')})`);
  }
  return url.toString();
}

/** POST …/gmail/authorizations: the consent URL for the tenant's browser. Records nothing yet. */
@Injectable()
export class StartGmailAuthorization {
  constructor(
    @Inject(GOOGLE_OAUTH) private readonly google: GoogleOAuth | null,
    @Inject(OAUTH_STATE_STORE) private readonly states: OAuthStateStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reader: StateReader,
  ) {}

  async execute(tenantId: string, returnUrl: string, ctx: CommandContext): Promise<GmailAuthorizationStarted> {
    const google = requireGoogle(this.google, this.config);
    const target = allowedReturnUrl(returnUrl, this.config.oauthReturnUrlOrigins);
    const current = await this.reader.load(tenantId);
    if (current.version === 0)
      throw new MailConfigError('NOT_PROVISIONED', 'This tenant’s mail configuration has not been provisioned');
    if (current.state.status === 'erased')
      throw new MailConfigError('TENANT_ERASED', 'This tenant’s mail configuration was erased');
    const issued = await this.states.issue({
      tenantId,
      returnUrl: target,
      actor: ctx.actor,
      correlationId: ctx.correlationId,
    });
    return {
      authorizationUrl: google.authorizationUrl({ state: issued.state, codeChallenge: issued.codeChallenge }),
      expiresAt: issued.expiresAt.toISOString(),
    };
  }
}
