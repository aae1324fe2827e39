import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../../../src/application/app-config';
import { DeliveryLogRetention } from '../../../src/application/delivery-log/delivery-log-retention';
import type { DeliveryRecord } from '../../../src/application/ports/delivery-log.port';
import { SqliteDeliveryLog } from '../../../src/infrastructure/delivery-log/sqlite.delivery-log';
import { InProcessJobLock } from '../../../src/infrastructure/jobs/in-process.job-lock';

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = new Date('2026-12-03T12:00:00.000Z');

const record = (tenantId: string, daysAgo: number): DeliveryRecord => ({
  tenantId,
  messageId: `<${daysAgo}@example.org>`,
  at: new Date(NOW.getTime() - daysAgo * DAY_MS).toISOString(),
  to: ['client@example.org'],
  cc: [],
  bcc: [],
  subject: `${daysAgo} days ago`,
  mode: 'default',
  from: 'support.acme@smemetrics-email.com',
  outcome: 'sent',
  stage: null,
  detail: null,
  fallback: null,
  idempotencyKey: null,
  correlationId: 'c',
  actor: 'main-app',
});

describe('delivery log retention', () => {
  it('purges records older than DELIVERY_LOG_RETENTION_DAYS and keeps the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcs-dlog-ret-'));
    const log = new SqliteDeliveryLog(join(dir, 'delivery-log.db'));
    try {
      for (const days of [1, 29, 31, 90]) log.record(record('t-1', days));
      await log.flush();
      const retention = new DeliveryLogRetention(
        { deliveryLogRetentionDays: 30 } as AppConfig,
        log,
        new InProcessJobLock(),
        { now: () => NOW },
      );
      expect(await retention.purge()).toBe(2);
      const left = await log.search('t-1', { limit: 10 });
      expect(left.records.map((r) => r.subject).sort()).toEqual(['1 days ago', '29 days ago']);
    } finally {
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
