import { Inject, Injectable, Logger } from '@nestjs/common';
import { MailConfigError } from '../../domain/mail-config/mail-config.errors';
import { GMAIL_SEND_SCOPE } from '../../domain/mail-config/mail-config.types';
import { APP_CONFIG, AppConfig } from '../app-config';
import { DecideAndAppend } from '../mail-config/decide-and-append';
import { GMAIL_REFRESH_TOKEN_FIELD } from '../mail-config/credential-status';
import { Cipher, CIPHER, CredentialUnavailableError } from '../ports/cipher.port';
import { Clock, CLOCK } from '../ports/clock.port';
import { GOOGLE_OAUTH, GoogleOAuth, GoogleGrant } from '../ports/google-oauth.port';
import { OAUTH_STATE_STORE, OAuthStateBinding, OAuthStateStore } from '../ports/oauth-state.port';
import { requireGoogle } from './start-gmail-authorization';

/** What Google appends to the redirect URI (anything else it adds is ignored). */
export interface GoogleCallback {
  code?: string;
  state?: string;
  error?: string;
}

type Outcome =
  | { gmail: 'authorized' }
  | { gmail: 'denied' }
  | { gmail: 'error'; reason: 'scope_missing' | 'state_invalid' | 'exchange_failed' };

const failed = (reason: 'scope_missing' | 'state_invalid' | 'exchange_failed'): Outcome => ({ gmail: 'error', reason });

/**
 * GET /v1/oauth/google/callback: the browser back from Google. The state is spent first, so
 * whatever happens next it cannot be used again. Only a grant that includes gmail.send and
 * comes with a refresh token is recorded: GmailAuthorized and ModeChanged{gmail} in one append.
 * Every other outcome records nothing and sends the browser back with the contract's reason.
 * Returns where to redirect, or null when no trustworthy return URL exists.
 */
@Injectable()
export class CompleteGmailAuthorization {
  private readonly logger = new Logger('GmailAuthorization');

  constructor(
    @Inject(GOOGLE_OAUTH) private readonly google: GoogleOAuth | null,
    @Inject(OAUTH_STATE_STORE) private readonly states: OAuthStateStore,
    @Inject(CIPHER) private readonly cipher: Cipher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly commands: DecideAndAppend,
  ) {}

  async execute(callback: GoogleCallback, correlationId: string): Promise<string | null> {
    const google = requireGoogle(this.google, this.config);
    const consumed = await this.states.consume(callback.state ?? '');
    if (!consumed.ok) {
      this.logger.warn(`Gmail authorization callback refused: state ${consumed.reason}`);
      // A forged state must not choose where the browser goes: the main application's first origin.
      const origin = this.config.oauthReturnUrlOrigins[0];
      const target = consumed.returnUrl ?? (origin ? `${origin}/` : null);
      return target && withOutcome(target, failed('state_invalid'));
    }
    const { binding, codeVerifier } = consumed;
    const outcome = await this.complete(google, callback, binding, codeVerifier, correlationId);
    const ended = outcome.gmail === 'error' ? outcome.reason : outcome.gmail;
    if (outcome.gmail === 'authorized') this.logger.log(`Gmail authorized for tenant ${binding.tenantId}`);
    else this.logger.warn(`Gmail authorization of tenant ${binding.tenantId} ended: ${ended}`);
    return withOutcome(binding.returnUrl, outcome);
  }

  private async complete(
    google: GoogleOAuth,
    callback: GoogleCallback,
    binding: OAuthStateBinding,
    verifier: string,
    correlationId: string,
  ): Promise<Outcome> {
    if (callback.error) return callback.error === 'access_denied' ? { gmail: 'denied' } : failed('exchange_failed');
    if (!callback.code) return failed('exchange_failed');
    let grant: GoogleGrant;
    try {
      grant = await google.exchangeCode(callback.code, verifier);
    } catch (error) {
      this.logger.warn(`Gmail authorization of tenant ${binding.tenantId}: ${(error as Error).message}`);
      return failed('exchange_failed');
    }
    // Granular consent lets the user untick gmail.send: such a grant authorizes nothing.
    if (!grant.grantedScopes.includes(GMAIL_SEND_SCOPE)) return failed('scope_missing');
    // Without a refresh token the grant is useless after an hour; never replace a stored one with nothing.
    if (!grant.refreshToken) {
      this.logger.warn(`Gmail authorization of tenant ${binding.tenantId}: Google sent no refresh token`);
      return failed('exchange_failed');
    }
    const { tenantId } = binding;
    try {
      const refreshToken = await this.cipher.encrypt(grant.refreshToken, {
        tenantId,
        field: GMAIL_REFRESH_TOKEN_FIELD,
      });
      await this.commands.handle(
        tenantId,
        {
          type: 'AuthorizeGmail',
          data: {
            account: grant.account,
            scopes: grant.grantedScopes,
            refreshToken,
            at: this.clock.now().toISOString(),
          },
        },
        { actor: binding.actor, correlationId, causationId: binding.correlationId },
      );
    } catch (error) {
      // Erased or unprovisioned meanwhile (or its key shredded): the grant is dropped, nothing recorded.
      if (!(error instanceof MailConfigError) && !(error instanceof CredentialUnavailableError)) throw error;
      this.logger.warn(
        `Gmail authorization of tenant ${tenantId} refused: ${error instanceof MailConfigError ? error.code : error.reason}`,
      );
      return failed(
        error instanceof MailConfigError && error.code === 'GMAIL_SCOPE_MISSING' ? 'scope_missing' : 'exchange_failed',
      );
    }
    return { gmail: 'authorized' };
  }
}

function withOutcome(returnUrl: string, outcome: Outcome): string {
  const url = new URL(returnUrl);
  url.searchParams.delete('gmail');
  url.searchParams.delete('reason');
  url.searchParams.set('gmail', outcome.gmail);
  if (outcome.gmail === 'error') url.searchParams.set('reason', outcome.reason);
  return url.toString();
}
