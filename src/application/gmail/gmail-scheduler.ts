import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { type Command, CommandBus } from '@nestjs/cqrs';
import { ID_GENERATOR, type IdGenerator } from '../ports/id.port';
import { CheckGmailConsentsCommand } from './commands/check-gmail-consents.command';
import { RetryGoogleRevocationsCommand } from './commands/retry-google-revocations.command';
import { GMAIL_SETTINGS, GmailSettings } from './gmail-settings';

/**
 * Dispatches the consent check and the revocation retries on their intervals, each run with a
 * correlation id of its own. Timers do not keep the process alive, and a failing run is logged
 * and tried again at the next tick.
 */
@Injectable()
export class GmailScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('GmailScheduler');
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    @Inject(GMAIL_SETTINGS) private readonly settings: GmailSettings,
    private readonly commandBus: CommandBus,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  onApplicationBootstrap(): void {
    this.every(this.settings.consentCheckIntervalMs, 'consent check', () => {
      const context = { actor: 'system:gmail-consent-check', correlationId: this.ids.next() };
      return new CheckGmailConsentsCommand(context);
    });
    this.every(this.settings.revocationRetryIntervalMs, 'revocation retry', () => {
      const context = { actor: 'system:google-revocation-retry', correlationId: this.ids.next() };
      return new RetryGoogleRevocationsCommand(context);
    });
  }

  onApplicationShutdown(): void {
    this.timers.splice(0).forEach(clearInterval);
  }

  private every(intervalMs: number | null, name: string, command: () => Command<unknown>): void {
    if (intervalMs === null) return;
    const timer = setInterval(
      () => {
        this.commandBus
          .execute(command())
          .catch((error: Error) => this.logger.error(`Gmail ${name} failed: ${error.message}`));
        // setInterval takes at most 2^31-1 ms (about 24.8 days); longer would fire at once.
      },
      Math.min(intervalMs, 2 ** 31 - 1),
    );
    timer.unref();
    this.timers.push(timer);
    this.logger.log(`Gmail ${name} every ${Math.round(intervalMs / 1000)} s`);
  }
}
