import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { GMAIL_SETTINGS, GmailSettings } from './gmail-settings';
import { GmailConsentCheck } from './gmail-consent-check';
import { GoogleRevocationRetry } from './google-revocation-retry';

/**
 * Runs the consent check and the revocation retries on their intervals. Timers do not keep the
 * process alive, and a failing run is logged and tried again at the next tick.
 */
@Injectable()
export class GmailScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('GmailScheduler');
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    @Inject(GMAIL_SETTINGS) private readonly settings: GmailSettings,
    private readonly consentCheck: GmailConsentCheck,
    private readonly revocations: GoogleRevocationRetry,
  ) {}

  onApplicationBootstrap(): void {
    this.every(this.settings.consentCheckIntervalMs, 'consent check', () => this.consentCheck.runOnce());
    this.every(this.settings.revocationRetryIntervalMs, 'revocation retry', () => this.revocations.runOnce());
  }

  onApplicationShutdown(): void {
    this.timers.splice(0).forEach(clearInterval);
  }

  private every(intervalMs: number | null, name: string, run: () => Promise<unknown>): void {
    if (intervalMs === null) return;
    const timer = setInterval(
      () => {
        run().catch((error: Error) => this.logger.error(`Gmail ${name} failed: ${error.message}`));
        // setInterval takes at most 2^31-1 ms (about 24.8 days); longer would fire at once.
      },
      Math.min(intervalMs, 2 ** 31 - 1),
    );
    timer.unref();
    this.timers.push(timer);
    this.logger.log(`Gmail ${name} every ${Math.round(intervalMs / 1000)} s`);
  }
}
