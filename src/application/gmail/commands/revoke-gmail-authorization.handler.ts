import { requireActive } from '../../../domain/mail-config/mail-config.state';
import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../app-config';
import { logContext } from '../../common/log-context';
import { DecideAndAppend } from '../../mail-config/decide-and-append';
import { MailConfigPresenter } from '../../mail-config/mail-config.presenter';
import type { MailConfigView } from '../../mail-config/mail-config.view';
import { StateReader } from '../../mail-config/state-reader';
import { CIPHER, type Cipher } from '../../ports/cipher.port';
import { CLOCK, type Clock } from '../../ports/clock.port';
import { GOOGLE_OAUTH, type GoogleOAuth } from '../../ports/google-oauth.port';
import { requireGoogle } from '../gmail-preconditions';
import { revokeAtGoogle } from '../google-revocation';
import { GoogleRevocationQueue } from '../google-revocation-queue';
import { RevokeGmailAuthorizationCommand } from './revoke-gmail-authorization.command';

@CommandHandler(RevokeGmailAuthorizationCommand)
export class RevokeGmailAuthorizationHandler implements ICommandHandler<RevokeGmailAuthorizationCommand> {
  private readonly logger = new Logger('GmailRevocation');

  constructor(
    @Inject(GOOGLE_OAUTH) private readonly google: GoogleOAuth | null,
    @Inject(CIPHER) private readonly cipher: Cipher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reader: StateReader,
    private readonly decideAndAppend: DecideAndAppend,
    private readonly retries: GoogleRevocationQueue,
    private readonly presenter: MailConfigPresenter,
  ) {}

  async execute({ tenantId, context }: RevokeGmailAuthorizationCommand): Promise<MailConfigView> {
    const google = requireGoogle(this.google, this.config);
    const loaded = await this.reader.load(tenantId);
    requireActive(loaded.state);
    const { gmail } = loaded.state;
    const sealed = gmail.status === 'authorized' ? gmail.refreshToken : null;
    const outcome = sealed ? await revokeAtGoogle(google, this.cipher, tenantId, sealed) : null;
    const line = logContext(context, tenantId);
    if (outcome && !outcome.ok)
      this.logger.warn(line, `Google did not revoke the Gmail grant of tenant ${tenantId}: ${outcome.message}`);
    const { current, events } = await this.decideAndAppend.handle(
      tenantId,
      {
        type: 'RevokeGmailConsent',
        data: {
          reason: 'tenant_request',
          at: this.clock.now().toISOString(),
          googleRevocation: outcome && { ok: outcome.ok, message: outcome.message },
        },
      },
      context,
    );
    if (sealed && outcome?.retry && events.some((e) => e.type === 'ConsentRevoked')) {
      // Best effort: the consent is withdrawn here already; a lost queue entry only costs the retries.
      await this.retries.enqueue(tenantId, gmail.account, sealed, outcome.message, context).catch((error: Error) => {
        this.logger.error(
          line,
          `could not queue the retry of tenant ${tenantId}'s Google revocation: ${error.message}`,
        );
      });
    }
    return this.presenter.present(tenantId, current);
  }
}
