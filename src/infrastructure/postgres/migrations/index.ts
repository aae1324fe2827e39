import { type Migration } from 'kysely';
import * as dataKeys from './0001-data-keys';
import * as throttlerCounters from './0002-throttler-counters';
import * as idempotencyRecords from './0003-idempotency-records';
import * as sendFailureCounts from './0004-send-failure-counts';
import * as outboxMessages from './0005-outbox-messages';
import * as jobLocks from './0006-job-locks';
import * as readModels from './0010-read-models';
import * as tenantUsernameKey from './0011-tenant-username-key';
import * as webhookDeliveries from './0020-webhook-deliveries';
import * as dashboardSupport from './0021-dashboard-support';
import * as supportSessions from './0022-support-sessions';
import * as supportSessionIdle from './0023-support-session-idle';
import * as deliveryLog from './0030-delivery-log';

/**
 * Every schema migration, in order, by a name that sorts in that order. Listed in code rather
 * than read from a folder, so the compiled build and `node -r @swc-node/register` find the same.
 * Append; never rename or edit one that has shipped.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-data-keys': dataKeys,
  '0002-throttler-counters': throttlerCounters,
  '0003-idempotency-records': idempotencyRecords,
  '0004-send-failure-counts': sendFailureCounts,
  '0005-outbox-messages': outboxMessages,
  '0006-job-locks': jobLocks,
  '0010-read-models': readModels,
  '0011-tenant-username-key': tenantUsernameKey,
  '0020-webhook-deliveries': webhookDeliveries,
  '0021-dashboard-support': dashboardSupport,
  '0022-support-sessions': supportSessions,
  '0023-support-session-idle': supportSessionIdle,
  '0030-delivery-log': deliveryLog,
};
