import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MailConfigError } from '../../../domain/mail-config/mail-config.errors';
import { GMAIL_SEND_SCOPE } from '../../../domain/mail-config/mail-config.types';
import { APP_CONFIG, type AppConfig } from '../../app-config';
import type { CommandContext } from '../../common/command-context';
import { logContext, type LogContext } from '../../common/log-context';
import { GMAIL_REFRESH_TOKEN_FIELD } from '../../mail-config/credential-status';
import { DecideAndAppend } from '../../mail-config/decide-and-append';
import { CIPHER, type Cipher, CredentialUnavailableError } from '../../ports/cipher.port';
import { CLOCK, type Clock } from '../../ports/clock.port';
import {
  type ConsentReturn,
  GOOGLE_CONSENT,
  GOOGLE_OAUTH,
  type GoogleConsent,
  type GoogleGrant,
  type GoogleOAuth,
} from '../../ports/google-oauth.port';
import { consentCallbackContext, type OAuthStateBinding } from '../../ports/oauth-state.port';
import { requireGoogle } from '../gmail-preconditions';
import { CompleteGmailAuthorizationCommand } from './complete-gmail-authorization.command';

type FailureReason = 'scope_missing' | 'state_invalid' | 'exchange_failed' | 'other_browser';
type Outcome = { gmail: 'authorized' } | { gmail: 'denied' } | { gmail: 'error'; reason: FailureReason };

const failed = (reason: FailureReason): Outcome => ({ gmail: 'error', reason });

@CommandHandler(CompleteGmailAuthorizationCommand)
export class CompleteGmailAuthorizationHandler implements ICommandHandler<CompleteGmailAuthorizationCommand> {
  private readonly logger = new Logger('GmailAuthorization');

  constructor(
    @Inject(GOOGLE_CONSENT) private readonly google: GoogleConsent | null,
    @Inject(GOOGLE_OAUTH) private readonly tokens: GoogleOAuth | null,
    @Inject(CIPHER) private readonly cipher: Cipher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly decideAndAppend: DecideAndAppend,
  ) {}

  async execute({ consent, context }: CompleteGmailAuthorizationCommand): Promise<string | null> {
    requireGoogle(this.google, this.config);
    if (!consent) throw new Error('The consent callback reached the use case without passing the consent guard');
    if (consent.outcome === 'state_refused') {
      this.logger.warn(logContext(context), `Gmail authorization callback refused: state ${consent.reason}`);
      // A forged state must not choose where the browser goes: the main application's first origin.
      const origin = this.config.oauthReturnUrlOrigins[0];
      const target = consent.returnUrl ?? (origin ? `${origin}/` : null);
      // Completed in another browser than the one the consent was handed to: nothing changes for the tenant.
      return (
        target && withOutcome(target, failed(consent.reason === 'other_browser' ? 'other_browser' : 'state_invalid'))
      );
    }
    const { binding } = consent;
    const outcome = await this.complete(consent, context);
    const ended = outcome.gmail === 'error' ? outcome.reason : outcome.gmail;
    const line = logContext(context, binding.tenantId);
    if (outcome.gmail === 'authorized') this.logger.log(line, `Gmail authorized for tenant ${binding.tenantId}`);
    else this.logger.warn(line, `Gmail authorization of tenant ${binding.tenantId} ended: ${ended}`);
    return withOutcome(binding.returnUrl, outcome);
  }

  private async complete(
    consent: Exclude<ConsentReturn, { outcome: 'state_refused' }>,
    context: CommandContext,
  ): Promise<Outcome> {
    const { binding } = consent;
    switch (consent.outcome) {
      case 'denied':
        return { gmail: 'denied' };
      case 'failed':
        this.logger.warn(
          logContext(context, binding.tenantId),
          `Gmail authorization of tenant ${binding.tenantId}: ${consent.why}`,
        );
        return failed('exchange_failed');
      case 'granted':
        return this.record(binding, consent.grant, context);
    }
  }

  private async record(binding: OAuthStateBinding, grant: GoogleGrant, context: CommandContext): Promise<Outcome> {
    const { tenantId } = binding;
    const line = logContext(context, tenantId);
    // Granular consent lets the user untick gmail.send: such a grant authorizes nothing, and is
    // withdrawn at Google before the tenant hears of it, so the app is not left listed in the account.
    if (!grant.grantedScopes.includes(GMAIL_SEND_SCOPE)) {
      await this.revokeUnusable(tenantId, grant, line);
      return failed('scope_missing');
    }
    // Without a refresh token the grant is useless after an hour; never replace a stored one with nothing.
    if (!grant.refreshToken) {
      this.logger.warn(line, `Gmail authorization of tenant ${tenantId}: Google sent no refresh token`);
      return failed('exchange_failed');
    }
    try {
      const refreshToken = await this.cipher.encrypt(grant.refreshToken, {
        tenantId,
        field: GMAIL_REFRESH_TOKEN_FIELD,
      });
      await this.decideAndAppend.handle(
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
        consentCallbackContext(binding, context.correlationId),
      );
    } catch (error) {
      // Erased or unprovisioned meanwhile (or its key shredded): the grant is dropped, nothing recorded.
      if (!(error instanceof MailConfigError) && !(error instanceof CredentialUnavailableError)) throw error;
      const why = error instanceof MailConfigError ? error.code : error.reason;
      this.logger.warn(line, `Gmail authorization of tenant ${tenantId} refused: ${why}`);
      return failed(
        error instanceof MailConfigError && error.code === 'GMAIL_SCOPE_MISSING' ? 'scope_missing' : 'exchange_failed',
      );
    }
    return { gmail: 'authorized' };
  }

  /** One revocation of a grant that will never be used; its outcome is logged, the refusal stands either way. */
  private async revokeUnusable(tenantId: string, grant: GoogleGrant, line: LogContext): Promise<void> {
    if (!this.tokens) return;
    try {
      // Revoking the refresh token ends the whole grant; without one, the access token does.
      await this.tokens.revoke(grant.refreshToken ?? grant.accessToken);
      this.logger.log(line, `Gmail grant of tenant ${tenantId} without gmail.send revoked at Google`);
    } catch (error) {
      this.logger.warn(
        line,
        `Gmail grant of tenant ${tenantId} without gmail.send could not be revoked at Google: ` +
          (error as Error).message,
      );
    }
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
