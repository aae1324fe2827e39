import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../app-config';
import { CLOCK, type Clock } from '../ports/clock.port';
import { DELIVERY_LOG, type DeliveryLog } from '../ports/delivery-log.port';
import { JOB_LOCK, type JobLock } from '../ports/job-lock.port';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** How often an instance asks the job lock whether the hourly purge is its turn. */
const TICK_MS = 60 * 1000;

/**
 * Purges delivery-log records older than DELIVERY_LOG_RETENTION_DAYS once an hour across every
 * instance (the job lock gives each run to one of them), and once at start on this instance's own
 * store, so a service that was down for a week does not keep old records until the next hour.
 */
@Injectable()
export class DeliveryLogRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DeliveryLogRetention');
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DELIVERY_LOG) private readonly log: DeliveryLog,
    @Inject(JOB_LOCK) private readonly jobs: JobLock,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    void this.purge();
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Records older than the retention, as of now; returns how many went. */
  async purge(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - this.config.deliveryLogRetentionDays * DAY_MS);
    try {
      const purged = await this.log.purgeBefore(cutoff);
      if (purged > 0) this.logger.log({ purged, before: cutoff.toISOString() }, 'delivery log records purged');
      return purged;
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'delivery log purge failed; retried within the hour');
      return 0;
    }
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.jobs.runIfDue('delivery-log retention', HOUR_MS, async () => {
        await this.purge();
      });
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'delivery log purge could not be scheduled');
    } finally {
      this.running = false;
    }
  }
}
