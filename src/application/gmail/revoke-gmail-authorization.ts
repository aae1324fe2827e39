import { Inject, Injectable, Logger } from '@nestjs/common';
import { MailConfigError } from '../../domain/mail-config/mail-config.errors';
import { APP_CONFIG, AppConfig } from '../app-config';
import { CommandContext, DecideAndAppend } from '../mail-config/decide-and-append';
import { StateReader, VersionedState } from '../mail-config/state-reader';
import { Cipher, CIPHER } from '../ports/cipher.port';
import { Clock, CLOCK } from '../ports/clock.port';
import { GOOGLE_OAUTH, GoogleOAuth } from '../ports/google-oauth.port';
import { revokeAtGoogle } from './google-revocation';
import { GoogleRevocationRetry } from './google-revocation-retry';
import { requireGoogle } from './start-gmail-authorization';

/**
 * DELETE …/gmail/authorization: the tenant withdraws consent. Google is asked to revoke the
 * token first (bounded by the adapter's timeouts); whatever it answers, the consent is withdrawn
 * on our side with the outcome recorded in ConsentRevoked, and a failed revocation is queued
 * for retries.
 */
@Injectable()
export class RevokeGmailAuthorization {
  private readonly logger = new Logger('GmailRevocation');

  constructor(
    @Inject(GOOGLE_OAUTH) private readonly google: GoogleOAuth | null,
    @Inject(CIPHER) private readonly cipher: Cipher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reader: StateReader,
    private readonly commands: DecideAndAppend,
    private readonly retries: GoogleRevocationRetry,
  ) {}

  async execute(tenantId: string, ctx: CommandContext): Promise<VersionedState> {
    const google = requireGoogle(this.google, this.config);
    const loaded = await this.reader.load(tenantId);
    if (loaded.version === 0)
      throw new MailConfigError('NOT_PROVISIONED', 'This tenant’s mail configuration has not been provisioned');
    if (loaded.state.status === 'erased')
      throw new MailConfigError('TENANT_ERASED', 'This tenant’s mail configuration was erased');
    const { gmail } = loaded.state;
    const sealed = gmail.status === 'authorized' ? gmail.refreshToken : null;
    const outcome = sealed ? await revokeAtGoogle(google, this.cipher, tenantId, sealed) : null;
    if (outcome && !outcome.ok)
      this.logger.warn(`Google did not revoke the Gmail grant of tenant ${tenantId}: ${outcome.message}`);
    // Nothing authorized: the decider makes this a no-op and the view is answered as it is.
    const { current, events } = await this.commands.handle(
      tenantId,
      {
        type: 'RevokeGmailConsent',
        data: {
          reason: 'tenant_request',
          at: this.clock.now().toISOString(),
          googleRevocation: outcome && { ok: outcome.ok, message: outcome.message },
        },
      },
      ctx,
    );
    if (sealed && outcome?.retry && events.some((e) => e.type === 'ConsentRevoked')) {
      // Best effort: the consent is withdrawn here already; a lost queue entry only costs the retries.
      await this.retries.enqueue(tenantId, gmail.account, sealed, outcome.message, ctx).catch((error: Error) => {
        this.logger.error(`could not queue the retry of tenant ${tenantId}'s Google revocation: ${error.message}`);
      });
    }
    return current;
  }
}
