import { type Pool } from 'pg';
import {
  type ClaimedWebhookDelivery,
  type NewWebhookDelivery,
  type WebhookAttemptRecord,
  type WebhookDelivery,
  type WebhookDeliveryPage,
  type WebhookDeliveryStatus,
  type WebhookDeliveryStore,
} from '../../application/ports/webhook-delivery-store.port';
import { unavailableAs } from './postgres-errors';
import { inTransaction } from './transaction';

interface Row {
  id: string;
  event_id: string;
  position: string;
  tenant_id: string;
  type: string;
  body: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  schedule_index: number;
  created_at: Date;
  next_attempt_at: Date | null;
  claim: string | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  failed_at: Date | null;
  replays: number;
  last_replayed_by: string | null;
}

const COLUMNS = `id, event_id, position::text, tenant_id, type, body, status, attempts, schedule_index, created_at,
  next_attempt_at, claim, last_attempt_at, last_status_code, last_error, delivered_at, failed_at, replays,
  last_replayed_by`;

function toDelivery(r: Row): WebhookDelivery {
  return {
    id: r.id,
    eventId: r.event_id,
    position: BigInt(r.position),
    tenantId: r.tenant_id,
    type: r.type,
    body: r.body,
    status: r.status,
    attempts: r.attempts,
    scheduleIndex: r.schedule_index,
    createdAt: r.created_at,
    nextAttemptAt: r.next_attempt_at,
    lastAttemptAt: r.last_attempt_at,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    deliveredAt: r.delivered_at,
    failedAt: r.failed_at,
    replays: r.replays,
    lastReplayedBy: r.last_replayed_by,
  };
}

// Rows another instance is claiming are skipped, not waited for: each due row goes to one claimer.
const CLAIM = `UPDATE webhook_deliveries d SET claim = gen_random_uuid(), next_attempt_at = $2
  FROM (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1
        ORDER BY next_attempt_at, position LIMIT $3 FOR UPDATE SKIP LOCKED) due
  WHERE d.id = due.id
  RETURNING ${COLUMNS.split(',')
    .map((column) => `d.${column.trim()}`)
    .join(', ')}`;

/**
 * The webhook queue of the replicated shape, shared by every instance. The feed's inserts and its
 * checkpoint commit together under the checkpoint row's lock; dispatchers claim due rows with
 * FOR UPDATE SKIP LOCKED and a lease, so each attempt is made by one instance, and a claim left
 * by an instance that died falls due again when its lease runs out.
 */
export class PostgresWebhookDeliveryStore implements WebhookDeliveryStore {
  constructor(private readonly pool: Pool) {}

  async checkpoint(): Promise<bigint | null> {
    return unavailableAs('webhook checkpoint', async () => {
      const { rows } = await this.pool.query<{ position: string }>(
        'SELECT position::text FROM webhook_checkpoint WHERE id = 1',
      );
      return rows[0] ? BigInt(rows[0].position) : null;
    });
  }

  async initialise(position: bigint): Promise<bigint> {
    return unavailableAs('webhook checkpoint', async () => {
      await this.pool.query(
        'INSERT INTO webhook_checkpoint (id, position, updated_at) VALUES (1, $1, now()) ON CONFLICT (id) DO NOTHING',
        [position.toString()],
      );
      return (await this.checkpoint())!;
    });
  }

  async rewind(position: bigint): Promise<void> {
    await unavailableAs('webhook checkpoint', () =>
      this.pool.query('UPDATE webhook_checkpoint SET position = $1, updated_at = now() WHERE id = 1', [
        position.toString(),
      ]),
    );
  }

  async enqueue(
    deliveries: readonly NewWebhookDelivery[],
    position: bigint,
    erasedTenants: readonly string[] = [],
  ): Promise<number> {
    return unavailableAs('webhook enqueue', () =>
      inTransaction(this.pool, async (client) => {
        const { rows } = await client.query<{ position: string }>(
          'SELECT position::text FROM webhook_checkpoint WHERE id = 1 FOR UPDATE',
        );
        const checkpoint = rows[0] ? BigInt(rows[0].position) : 0n;
        if (position <= checkpoint) return 0;
        if (erasedTenants.length > 0) {
          await client.query('DELETE FROM webhook_deliveries WHERE tenant_id = ANY($1::text[])', [erasedTenants]);
        }
        const fresh = deliveries.filter((d) => d.position > checkpoint);
        let queued = 0;
        if (fresh.length > 0) {
          const inserted = await client.query(
            `INSERT INTO webhook_deliveries
               (id, event_id, position, tenant_id, type, body, status, created_at, next_attempt_at)
             SELECT id, event_id, position, tenant_id, type, body, 'pending', now(), now()
             FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[])
               AS t(id, event_id, position, tenant_id, type, body)
             ON CONFLICT DO NOTHING`,
            [
              fresh.map((d) => d.id),
              fresh.map((d) => d.eventId),
              fresh.map((d) => d.position.toString()),
              fresh.map((d) => d.tenantId),
              fresh.map((d) => d.type),
              fresh.map((d) => d.body),
            ],
          );
          queued = inserted.rowCount ?? 0;
        }
        await client.query(
          `INSERT INTO webhook_checkpoint (id, position, updated_at) VALUES (1, $1, now())
           ON CONFLICT (id) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
          [position.toString()],
        );
        return queued;
      }),
    );
  }

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedWebhookDelivery[]> {
    return unavailableAs('webhook claim', async () => {
      const { rows } = await this.pool.query<Row>(CLAIM, [now, new Date(now.getTime() + leaseMs), limit]);
      return rows.map((row) => ({ delivery: toDelivery(row), claim: row.claim! }));
    });
  }

  async recordAttempt(id: string, claim: string, record: WebhookAttemptRecord): Promise<boolean> {
    return unavailableAs('webhook attempt', async () => {
      const result = await this.pool.query(
        `UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1, claim = NULL,
           schedule_index = $4, next_attempt_at = $5, last_attempt_at = $6, last_status_code = $7, last_error = $8,
           delivered_at = CASE WHEN $3 = 'delivered' THEN $6 ELSE delivered_at END,
           failed_at = CASE WHEN $3 = 'failed' THEN $6 ELSE NULL END
         WHERE id = $1 AND claim = $2`,
        [
          id,
          claim,
          record.status,
          record.status === 'delivered' ? 0 : record.scheduleIndex,
          record.status === 'pending' ? record.nextAttemptAt : null,
          record.at,
          record.statusCode,
          record.error,
        ],
      );
      return result.rowCount === 1;
    });
  }

  async release(id: string, claim: string, at: Date): Promise<boolean> {
    return unavailableAs('webhook claim', async () => {
      const result = await this.pool.query(
        `UPDATE webhook_deliveries SET claim = NULL, next_attempt_at = $3
         WHERE id = $1 AND claim = $2 AND status = 'pending'`,
        [id, claim, at],
      );
      return result.rowCount === 1;
    });
  }

  async nextDueAt(): Promise<Date | null> {
    return unavailableAs('webhook queue', async () => {
      const { rows } = await this.pool.query<{ due: Date | null }>(
        "SELECT min(next_attempt_at) AS due FROM webhook_deliveries WHERE status = 'pending'",
      );
      return rows[0]?.due ?? null;
    });
  }

  async list(filter: { status?: WebhookDeliveryStatus; after?: bigint; limit: number }): Promise<WebhookDeliveryPage> {
    return unavailableAs('webhook deliveries', async () => {
      const { rows } = await this.pool.query<Row>(
        `SELECT ${COLUMNS} FROM webhook_deliveries
         WHERE ($1::text IS NULL OR status = $1) AND position > coalesce($2::bigint, -1)
         ORDER BY webhook_deliveries.position LIMIT $3`, // the bigint column, not its text alias
        [filter.status ?? null, filter.after?.toString() ?? null, filter.limit + 1],
      );
      const page = rows.slice(0, filter.limit).map(toDelivery);
      return { deliveries: page, nextAfter: rows.length > filter.limit ? page[page.length - 1].position : null };
    });
  }

  async get(id: string): Promise<WebhookDelivery | null> {
    return unavailableAs('webhook delivery', async () => {
      const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM webhook_deliveries WHERE id = $1`, [id]);
      return rows[0] ? toDelivery(rows[0]) : null;
    });
  }

  async replay(id: string, now: Date, actor: string): Promise<WebhookDelivery | null> {
    await unavailableAs('webhook replay', () =>
      this.pool.query(
        `UPDATE webhook_deliveries SET status = 'pending', schedule_index = 0, next_attempt_at = $2, claim = NULL,
           failed_at = NULL, replays = replays + 1, last_replayed_by = $3
         WHERE id = $1 AND status <> 'pending'`,
        [id, now, actor],
      ),
    );
    return this.get(id);
  }

  async counts(): Promise<Record<WebhookDeliveryStatus, number>> {
    return unavailableAs('webhook queue', async () => {
      const counts: Record<WebhookDeliveryStatus, number> = { pending: 0, delivered: 0, failed: 0 };
      const { rows } = await this.pool.query<{ status: WebhookDeliveryStatus; n: number }>(
        'SELECT status, count(*)::int AS n FROM webhook_deliveries GROUP BY status',
      );
      for (const r of rows) counts[r.status] = r.n;
      return counts;
    });
  }

  async purgeDelivered(before: Date): Promise<number> {
    return unavailableAs('webhook purge', async () => {
      const result = await this.pool.query(
        "DELETE FROM webhook_deliveries WHERE status = 'delivered' AND delivered_at < $1",
        [before],
      );
      return result.rowCount ?? 0;
    });
  }

  /** The pool belongs to the instance's PostgresDatabase, which ends it. */
  async close(): Promise<void> {}
}
