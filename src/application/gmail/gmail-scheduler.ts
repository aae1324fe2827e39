import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { type Command, CommandBus } from '@nestjs/cqrs';
import { ID_GENERATOR, type IdGenerator } from '../ports/id.port';
import { JOB_LOCK, type JobLock } from '../ports/job-lock.port';
import { CheckGmailConsentsCommand } from './commands/check-gmail-consents.command';
import { RetryGoogleRevocationsCommand } from './commands/retry-google-revocations.command';
import { GMAIL_SETTINGS, GmailSettings } from './gmail-settings';

/**
 * How often an instance asks whether a job is due: a quarter of its interval, between 10 ms and
 * 4 s (with the PostgreSQL lock's 5 s lease, a run cut off by a dying instance is taken over
 * within 10 s).
 */
export function tickOf(intervalMs: number): number {
  return Math.min(4000, Math.max(10, Math.floor(intervalMs / 4)));
}

/**
 * Dispatches the consent check and the revocation retries once per interval across every
 * instance: each instance asks the job lock on a short tick, and the lock gives the run to one
 * of them (another takes over within seconds when it dies). Each run has a correlation id of its
 * own. Timers do not keep the process alive, and a failing run is logged and tried again at the
 * next interval.
 */
@Injectable()
export class GmailScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('GmailScheduler');
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    @Inject(GMAIL_SETTINGS) private readonly settings: GmailSettings,
    private readonly commandBus: CommandBus,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(JOB_LOCK) private readonly jobs: JobLock,
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

  async onApplicationShutdown(): Promise<void> {
    this.timers.splice(0).forEach(clearInterval);
    await this.jobs.close();
  }

  private every(intervalMs: number | null, name: string, command: () => Command<unknown>): void {
    if (intervalMs === null) return;
    const job = `gmail ${name}`;
    let asking = false;
    const timer = setInterval(() => {
      // One question at a time per instance: a slow database does not pile them up.
      if (asking) return;
      asking = true;
      this.jobs
        .runIfDue(job, intervalMs, async () => {
          await this.commandBus.execute(command());
        })
        .catch((error: Error) => this.logger.error(`Gmail ${name} failed: ${error.message}`))
        .finally(() => (asking = false));
    }, tickOf(intervalMs));
    timer.unref();
    this.timers.push(timer);
    this.logger.log(`Gmail ${name} every ${Math.round(intervalMs / 1000)} s (once across instances)`);
  }
}
