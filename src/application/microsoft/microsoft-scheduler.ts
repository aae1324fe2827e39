import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { GMAIL_SETTINGS, type GmailSettings } from '../gmail/gmail-settings';
import { ID_GENERATOR, type IdGenerator } from '../ports/id.port';
import { CheckMicrosoftConsentsCommand } from './commands/check-microsoft-consents.command';

/**
 * Dispatches the Microsoft 365 consent check on the interval of the Gmail one
 * (GMAIL_CONSENT_CHECK_INTERVAL: daily by default, off in tests); the timer keeps no process alive.
 */
@Injectable()
export class MicrosoftScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MicrosoftScheduler');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(GMAIL_SETTINGS) private readonly settings: GmailSettings,
    private readonly commandBus: CommandBus,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  onApplicationBootstrap(): void {
    const intervalMs = this.settings.consentCheckIntervalMs;
    if (intervalMs === null) return;
    this.timer = setInterval(
      () => {
        const context = { actor: 'system:microsoft-consent-check', correlationId: this.ids.next() };
        this.commandBus
          .execute(new CheckMicrosoftConsentsCommand(context))
          .catch((error: Error) => this.logger.error(`Microsoft 365 consent check failed: ${error.message}`));
      },
      Math.min(intervalMs, 2 ** 31 - 1),
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
