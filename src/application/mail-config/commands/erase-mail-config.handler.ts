import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type MailConfigState, requireActive } from '../../../domain/mail-config/mail-config.state';
import { revokeAtGoogle } from '../../gmail/google-revocation';
import { GoogleRevocationQueue, revocationKeyOwner } from '../../gmail/google-revocation-queue';
import { CIPHER, type Cipher } from '../../ports/cipher.port';
import { CLOCK, type Clock } from '../../ports/clock.port';
import { DELIVERY_LOG, type DeliveryLog } from '../../ports/delivery-log.port';
import { GOOGLE_OAUTH, type GoogleOAuth } from '../../ports/google-oauth.port';
import type { CommandContext } from '../../common/command-context';
import { logContext } from '../../common/log-context';
import { GMAIL_REFRESH_TOKEN_FIELD } from '../credential-status';
import { DecideAndAppend, requireVersion } from '../decide-and-append';
import { MailConfigPresenter } from '../mail-config.presenter';
import type { MailConfigView } from '../mail-config.view';
import { StateReader } from '../state-reader';
import { EraseMailConfigCommand } from './erase-mail-config.command';

/** Long enough for a healthy Google, short enough that an outage does not hold the erasure up. */
const REVOKE_DEADLINE_MS = 3000;

@CommandHandler(EraseMailConfigCommand)
export class EraseMailConfigHandler implements ICommandHandler<EraseMailConfigCommand> {
  private readonly logger = new Logger('MailConfigErasure');

  constructor(
    private readonly decideAndAppend: DecideAndAppend,
    private readonly reader: StateReader,
    private readonly presenter: MailConfigPresenter,
    @Inject(CIPHER) private readonly cipher: Cipher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(GOOGLE_OAUTH) private readonly google: GoogleOAuth | null,
    private readonly revocations: GoogleRevocationQueue,
    @Inject(DELIVERY_LOG) private readonly deliveryLog: DeliveryLog,
  ) {}

  /**
   * Crypto-shredding: the tenant's data key goes first, so a crash between the two steps leaves
   * secrets unrecoverable rather than an "erased" tenant whose secrets still open. Every refusal
   * (missing, already erased, a stale If-Match) comes before the shredding, which cannot be undone;
   * once the key is gone the erasure is recorded whatever was appended meanwhile. The Gmail grant
   * is revoked before that: afterwards nothing could open its token, and Google would keep it live.
   */
  async execute({ tenantId, context, expectedVersion }: EraseMailConfigCommand): Promise<MailConfigView> {
    const loaded = await this.reader.load(tenantId);
    requireActive(loaded.state);
    requireVersion(loaded.version, expectedVersion);
    await this.revokeGmailGrant(tenantId, loaded.state, context);
    await this.cipher.shred(tenantId);
    // Recipients and subjects are the tenant's clients' data: they go with the tenant.
    await this.deliveryLog.eraseTenant(tenantId);
    const { current } = await this.decideAndAppend.handle(
      tenantId,
      { type: 'EraseMailConfig', data: { at: this.clock.now().toISOString() } },
      context,
    );
    return this.presenter.present(tenantId, current);
  }

  /**
   * Best effort, never blocking the erasure: when Google does not confirm in time, the token is
   * sealed again under the revocation queue's own key (the tenant's is about to be shredded) and
   * queued for RetryGoogleRevocationsCommand.
   */
  private async revokeGmailGrant(tenantId: string, state: MailConfigState, context: CommandContext): Promise<void> {
    const { gmail } = state;
    if (!this.google || gmail.status !== 'authorized' || !gmail.refreshToken) return;
    const sealed = gmail.refreshToken;
    const outcome = await Promise.race([
      revokeAtGoogle(this.google, this.cipher, tenantId, sealed),
      new Promise<{ ok: false; message: string; retry: true }>((resolve) =>
        setTimeout(
          () => resolve({ ok: false, message: 'Google did not answer the revocation in time', retry: true }),
          REVOKE_DEADLINE_MS,
        ).unref(),
      ),
    ]);
    if (outcome.ok || !outcome.retry) return;
    const line = logContext(context, tenantId);
    this.logger.warn(line, `Google did not revoke the Gmail grant of erased tenant ${tenantId}: ${outcome.message}`);
    try {
      const field = { field: GMAIL_REFRESH_TOKEN_FIELD };
      const token = await this.cipher.decrypt(sealed, { tenantId, ...field });
      const resealed = await this.cipher.encrypt(token, { tenantId: revocationKeyOwner(tenantId), ...field });
      await this.revocations.enqueue(
        tenantId,
        gmail.account,
        resealed,
        outcome.message,
        context,
        revocationKeyOwner(tenantId),
      );
    } catch (error) {
      this.logger.error(
        line,
        `could not queue the retry of tenant ${tenantId}'s Google revocation: ${(error as Error).message}`,
      );
    }
  }
}
