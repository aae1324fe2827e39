import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MailConfigError } from '../../../domain/mail-config/mail-config.errors';
import { grantsMicrosoftSend } from '../../../domain/mail-config/mail-config.types';
import { APP_CONFIG, type AppConfig } from '../../app-config';
import type { CommandContext } from '../../common/command-context';
import { logContext } from '../../common/log-context';
import { DecideAndAppend } from '../../mail-config/decide-and-append';
import { CIPHER, type Cipher, CredentialUnavailableError } from '../../ports/cipher.port';
import { CLOCK, type Clock } from '../../ports/clock.port';
import { consentCallbackContext, type OAuthStateBinding } from '../../ports/oauth-state.port';
import {
  MICROSOFT_CONSENT,
  MICROSOFT_REFRESH_TOKEN_FIELD,
  type MicrosoftConsent,
  type MicrosoftConsentReturn,
  type MicrosoftGrant,
} from '../microsoft.port';
import { requireMicrosoft } from '../microsoft-preconditions';
import { CompleteMicrosoftAuthorizationCommand } from './complete-microsoft-authorization.command';

type FailureReason = 'scope_missing' | 'state_invalid' | 'exchange_failed' | 'admin_consent_required' | 'other_browser';
type Outcome = { microsoft: 'authorized' } | { microsoft: 'denied' } | { microsoft: 'error'; reason: FailureReason };

const failed = (reason: FailureReason): Outcome => ({ microsoft: 'error', reason });

@CommandHandler(CompleteMicrosoftAuthorizationCommand)
export class CompleteMicrosoftAuthorizationHandler implements ICommandHandler<CompleteMicrosoftAuthorizationCommand> {
  private readonly logger = new Logger('MicrosoftAuthorization');

  constructor(
    @Inject(MICROSOFT_CONSENT) private readonly consent: MicrosoftConsent | null,
    @Inject(CIPHER) private readonly cipher: Cipher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly decideAndAppend: DecideAndAppend,
  ) {}

  async execute({ query, context }: CompleteMicrosoftAuthorizationCommand): Promise<string | null> {
    const consent = requireMicrosoft(this.consent, this.config);
    const returned = await consent.complete(query);
    if (returned.outcome === 'state_refused') {
      this.logger.warn(logContext(context), `Microsoft authorization callback refused: state ${returned.reason}`);
      // A forged state must not choose where the browser goes: the main application's first origin.
      const origin = this.config.oauthReturnUrlOrigins[0];
      const target = returned.returnUrl ?? (origin ? `${origin}/` : null);
      // Completed in another browser than the one the consent was handed to: nothing changes for the tenant.
      return (
        target && withOutcome(target, failed(returned.reason === 'other_browser' ? 'other_browser' : 'state_invalid'))
      );
    }
    const { binding } = returned;
    const outcome = await this.outcomeOf(returned, context);
    const ended = outcome.microsoft === 'error' ? outcome.reason : outcome.microsoft;
    const line = logContext(context, binding.tenantId);
    if (outcome.microsoft === 'authorized')
      this.logger.log(line, `Microsoft 365 authorized for tenant ${binding.tenantId}`);
    else this.logger.warn(line, `Microsoft 365 authorization of tenant ${binding.tenantId} ended: ${ended}`);
    return withOutcome(binding.returnUrl, outcome);
  }

  private async outcomeOf(
    returned: Exclude<MicrosoftConsentReturn, { outcome: 'state_refused' }>,
    context: CommandContext,
  ): Promise<Outcome> {
    const line = logContext(context, returned.binding.tenantId);
    switch (returned.outcome) {
      case 'denied':
        return { microsoft: 'denied' };
      case 'admin_consent_required':
        this.logger.warn(line, `Microsoft 365 authorization of tenant ${returned.binding.tenantId}: ${returned.why}`);
        return failed('admin_consent_required');
      case 'failed':
        this.logger.warn(line, `Microsoft 365 authorization of tenant ${returned.binding.tenantId}: ${returned.why}`);
        return failed('exchange_failed');
      case 'granted':
        return this.record(returned.binding, returned.grant, context);
    }
  }

  private async record(binding: OAuthStateBinding, grant: MicrosoftGrant, context: CommandContext): Promise<Outcome> {
    const { tenantId } = binding;
    const line = logContext(context, tenantId);
    // The consent screen lets a user (or a directory policy) leave Mail.Send out: that grant authorizes nothing.
    if (!grantsMicrosoftSend(grant.grantedScopes)) return failed('scope_missing');
    if (!grant.refreshToken) {
      this.logger.warn(
        line,
        `Microsoft 365 authorization of tenant ${tenantId}: no refresh token (offline_access refused)`,
      );
      return failed('scope_missing');
    }
    try {
      const refreshToken = await this.cipher.encrypt(grant.refreshToken, {
        tenantId,
        field: MICROSOFT_REFRESH_TOKEN_FIELD,
      });
      await this.decideAndAppend.handle(
        tenantId,
        {
          type: 'AuthorizeMicrosoft',
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
      if (!(error instanceof MailConfigError) && !(error instanceof CredentialUnavailableError)) throw error;
      const why = error instanceof MailConfigError ? error.code : error.reason;
      this.logger.warn(line, `Microsoft 365 authorization of tenant ${tenantId} refused: ${why}`);
      return failed(
        error instanceof MailConfigError && error.code === 'MICROSOFT_SCOPE_MISSING'
          ? 'scope_missing'
          : 'exchange_failed',
      );
    }
    return { microsoft: 'authorized' };
  }
}

function withOutcome(returnUrl: string, outcome: Outcome): string {
  const url = new URL(returnUrl);
  url.searchParams.delete('microsoft');
  url.searchParams.delete('reason');
  url.searchParams.set('microsoft', outcome.microsoft);
  if (outcome.microsoft === 'error') url.searchParams.set('reason', outcome.reason);
  return url.toString();
}
