import { Logger } from '@nestjs/common';
import type {
  DeliveryLog,
  DeliveryLogFilter,
  DeliveryLogPage,
  DeliveryRecord,
} from '../../application/ports/delivery-log.port';

/** A batch bigger than this is written in several statements; the queue above it waits its turn. */
export const DELIVERY_LOG_BATCH = 200;
/** A log that cannot be written for this long drops what it holds rather than grow without end. */
const MAX_QUEUED = 50_000;

/**
 * The part every delivery-log adapter shares: `record` only queues (the send that produced it has
 * already answered or is about to), and the queue is written at the end of the current I/O turn in
 * batches, so a burst of sends costs one write per batch, not one per message. A failed write is
 * tried once more a second later, then its records are dropped with a warning: the log describes
 * sends, it never holds one up, and the events stay the record of every configuration change.
 */
export abstract class BatchingDeliveryLog implements DeliveryLog {
  protected readonly logger = new Logger('DeliveryLog');
  private queue: DeliveryRecord[] = [];
  private draining: Promise<void> | null = null;

  protected abstract writeBatch(records: DeliveryRecord[]): Promise<void>;
  abstract search(tenantId: string, filter: DeliveryLogFilter): Promise<DeliveryLogPage>;
  protected abstract deleteTenant(tenantId: string): Promise<number>;
  abstract purgeBefore(at: Date): Promise<number>;
  protected abstract closeStore(): Promise<void>;

  record(entry: DeliveryRecord): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.logger.warn({ tenantId: entry.tenantId }, 'delivery log is not being written: record dropped');
      return;
    }
    this.queue.push(entry);
    this.draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Queued records of the tenant are dropped first, so none is written after the erasure. */
  async eraseTenant(tenantId: string): Promise<number> {
    this.queue = this.queue.filter((r) => r.tenantId !== tenantId);
    await this.flush();
    return this.deleteTenant(tenantId);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.closeStore();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, DELIVERY_LOG_BATCH);
        await this.writeWithOneRetry(batch);
      }
    } finally {
      this.draining = null;
    }
  }

  private async writeWithOneRetry(batch: DeliveryRecord[]): Promise<void> {
    try {
      await this.writeBatch(batch);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      try {
        await this.writeBatch(batch);
      } catch (error) {
        this.logger.warn(
          { records: batch.length, reason: (error as Error).message },
          'delivery log could not be written: records dropped',
        );
      }
    }
  }
}

/** Every address the message went to, as the `to` filter compares them. */
export function recipientsOf(record: DeliveryRecord): string[] {
  return [...new Set([...record.to, ...record.cc, ...record.bcc].map((a) => a.toLowerCase()))];
}
