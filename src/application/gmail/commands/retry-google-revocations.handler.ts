import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';
import { StateReader } from '../../mail-config/state-reader';
import { CIPHER, type Cipher } from '../../ports/cipher.port';
import { CLOCK, type Clock } from '../../ports/clock.port';
import { GOOGLE_OAUTH, type GoogleOAuth } from '../../ports/google-oauth.port';
import { revokeAtGoogle } from '../google-revocation';
import { type AttemptData, GoogleRevocationQueue, type PendingRevocation } from '../google-revocation-queue';
import { RevocationRetryResult, RetryGoogleRevocationsCommand } from './retry-google-revocations.command';

const MAX_ATTEMPTS = 10;
const FIRST_DELAY_MS = 60_000;
const MAX_DELAY_MS = 6 * 60 * 60_000;

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
  ) {}

  execute({ context, dueOnly }: RetryGoogleRevocationsCommand): Promise<RevocationRetryResult> {
    this.running ??= this.run(dueOnly, context).finally(() => (this.running = null));
    return this.running;
  }

  private async run(dueOnly: boolean, context: CommandContext): Promise<RevocationRetryResult> {
    const result = { attempted: 0, revoked: 0 };
    if (!this.google) return result;
    for (const entry of await this.queue.pending()) {
      if (dueOnly && !this.isDue(entry)) continue;
      result.attempted++;
      const outcome = await this.attempt(this.google, entry);
      if (outcome.ok) result.revoked++;
      this.logger.log(
        `Google revocation for tenant ${entry.tenantId}, try ${outcome.attempt}: ` +
          `${outcome.ok ? 'revoked' : outcome.message}${outcome.final ? ' (final)' : ''}`,
      );
      await this.queue.recordAttempt(entry, outcome, context);
    }
    return result;
  }

  private async attempt(google: GoogleOAuth, entry: PendingRevocation): Promise<AttemptData> {
    const at = this.clock.now().toISOString();
    const attempt = entry.attempts + 1;
    const { gmail } = (await this.reader.load(entry.tenantId)).state;
    // Google revokes a user's whole grant to this client: revoking the old token of an account
    // that authorized again would also end the new authorization.
    if (gmail.status === 'authorized' && gmail.account === entry.account) {
      return {
        pendingVersion: entry.pendingVersion,
        ok: false,
        message: 'Superseded: the same account authorized Gmail again',
        attempt,
        final: true,
        at,
      };
    }
    const outcome = await revokeAtGoogle(google, this.cipher, entry.tenantId, entry.refreshToken);
    const final = outcome.ok || !outcome.retry || attempt >= MAX_ATTEMPTS;
    return { pendingVersion: entry.pendingVersion, ok: outcome.ok, message: outcome.message, attempt, final, at };
  }

  private isDue(entry: PendingRevocation): boolean {
    const wait = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (entry.attempts - 1));
    return this.clock.now().getTime() >= Date.parse(entry.lastAt) + wait;
  }
}
