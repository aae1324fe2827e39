import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';
import { logContext } from '../../common/log-context';
import { DecideAndAppend } from '../../mail-config/decide-and-append';
import { StateReader } from '../../mail-config/state-reader';
import { CIPHER, type Cipher } from '../../ports/cipher.port';
import { CLOCK, type Clock } from '../../ports/clock.port';
import { GOOGLE_OAUTH, type GoogleOAuth } from '../../ports/google-oauth.port';
import {
  googleRevocationDecider,
  isRetryDue,
  type RevocationTryOutcome,
} from '../../../domain/google-revocation/google-revocation.decider';
import { revokeAtGoogle } from '../google-revocation';
import { type AttemptData, GoogleRevocationQueue, type PendingRevocation } from '../google-revocation-queue';
import { RevocationRetryResult, RetryGoogleRevocationsCommand } from './retry-google-revocations.command';

@CommandHandler(RetryGoogleRevocationsCommand)
export class RetryGoogleRevocationsHandler implements ICommandHandler<RetryGoogleRevocationsCommand> {
  private readonly logger = new Logger('GoogleRevocationRetry');
  private running: Promise<RevocationRetryResult> | null = null;

  constructor(
    @Inject(GOOGLE_OAUTH) private readonly google: GoogleOAuth | null,
    @Inject(CIPHER) private readonly cipher: Cipher,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly queue: GoogleRevocationQueue,
    private readonly reader: StateReader,
    private readonly decideAndAppend: DecideAndAppend,
  ) {}

  execute({ context, dueOnly }: RetryGoogleRevocationsCommand): Promise<RevocationRetryResult> {
    this.running ??= this.run(dueOnly, context).finally(() => (this.running = null));
    return this.running;
  }

  private async run(dueOnly: boolean, context: CommandContext): Promise<RevocationRetryResult> {
    const result = { attempted: 0, revoked: 0 };
    if (!this.google) return result;
    for (const entry of await this.queue.pending()) {
      if (dueOnly && !isRetryDue(entry.state, this.clock.now())) continue;
      result.attempted++;
      const outcome = await this.attempt(this.google, entry);
      if (!outcome) continue;
      if (outcome.ok) result.revoked++;
      this.logger.log(
        logContext(context, entry.tenantId),
        `Google revocation for tenant ${entry.tenantId}, try ${outcome.attempt}: ` +
          `${outcome.ok ? 'revoked' : outcome.message}${outcome.final ? ' (final)' : ''}`,
      );
      await this.queue.recordAttempt(entry, outcome, context);
      // The tenant's history still says Google did not revoke: correct it there (an erased tenant's
      // entry is sealed for the queue's own key owner, and its history is closed).
      if (outcome.ok && entry.sealedFor === entry.tenantId) await this.confirm(entry, outcome, context);
      // A token resealed for an erased tenant is destroyed with its key once nothing will retry it.
      if (outcome.final && entry.sealedFor !== entry.tenantId) await this.cipher.shred(entry.sealedFor);
    }
    return result;
  }

  /** Best effort, as queueing the retry was: the queue's own stream holds the outcome either way. */
  private async confirm(entry: PendingRevocation, outcome: AttemptData, context: CommandContext): Promise<void> {
    const data = { account: entry.account, at: outcome.at, attempts: outcome.attempt };
    await this.decideAndAppend
      .handle(entry.tenantId, { type: 'ConfirmGoogleRevocation', data }, context)
      .catch((error: Error) =>
        this.logger.warn(
          logContext(context, entry.tenantId),
          `could not record in tenant ${entry.tenantId}'s history that Google revoked: ${error.message}`,
        ),
      );
  }

  /** Makes the try; the decider says what it comes to (attempt number, final or not). */
  private async attempt(google: GoogleOAuth, entry: PendingRevocation): Promise<AttemptData | null> {
    const at = this.clock.now().toISOString();
    const { gmail } = (await this.reader.load(entry.tenantId)).state;
    // Google revokes a user's whole grant to this client: revoking the old token of an account
    // that authorized again would also end the new authorization.
    const superseded = gmail.status === 'authorized' && gmail.account === entry.account;
    let outcome: RevocationTryOutcome = { kind: 'superseded' };
    if (!superseded) {
      const tried = await revokeAtGoogle(google, this.cipher, entry.sealedFor, entry.refreshToken);
      outcome = tried.ok
        ? { kind: 'revoked' }
        : { kind: 'failed', message: tried.message ?? 'Google did not revoke the token', retryable: tried.retry };
    }
    const [event] = googleRevocationDecider.decide(
      { type: 'RecordRevocationTry', data: { pendingVersion: entry.pendingVersion, outcome, at } },
      entry.state,
    );
    return event?.type === 'GoogleRevocationAttempted' ? event.data : null;
  }
}
