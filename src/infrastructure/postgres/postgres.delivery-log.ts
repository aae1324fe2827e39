import { type Pool } from 'pg';
import type {
  DeliveryLogFilter,
  DeliveryLogPage,
  DeliveryRecord,
  StoredDeliveryRecord,
} from '../../application/ports/delivery-log.port';
import { BatchingDeliveryLog, recipientsOf } from '../delivery-log/batching-delivery-log';
import { unavailableAs } from './postgres-errors';

const SEARCH = `
SELECT seq::text AS seq, record FROM delivery_log
WHERE tenant_id = $1
  AND ($2::bigint IS NULL OR seq < $2)
  AND ($3::timestamptz IS NULL OR at >= $3)
  AND ($4::timestamptz IS NULL OR at <= $4)
  AND ($5::text IS NULL OR outcome = $5)
  AND ($6::text IS NULL OR recipients @> ARRAY[$6::text])
ORDER BY seq DESC LIMIT $7`;

/** The delivery log of the replicated shape: every instance writes and reads one table. */
export class PostgresDeliveryLog extends BatchingDeliveryLog {
  constructor(private readonly pool: Pool) {
    super();
  }

  protected async writeBatch(records: DeliveryRecord[]): Promise<void> {
    const values: unknown[] = [];
    const rows = records.map((r) => {
      values.push(r.tenantId, r.at, r.outcome, recipientsOf(r), JSON.stringify(r));
      const n = values.length;
      return `($${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
    });
    await unavailableAs('delivery log', () =>
      this.pool.query(
        `INSERT INTO delivery_log (tenant_id, at, outcome, recipients, record) VALUES ${rows.join(', ')}`,
        values,
      ),
    );
  }

  async search(tenantId: string, filter: DeliveryLogFilter): Promise<DeliveryLogPage> {
    const { rows } = await unavailableAs('delivery log', () =>
      this.pool.query<{ seq: string; record: DeliveryRecord }>({
        name: 'mcs_delivery_log_search',
        text: SEARCH,
        values: [
          tenantId,
          filter.before ?? null,
          filter.since?.toISOString() ?? null,
          filter.until?.toISOString() ?? null,
          filter.outcome ?? null,
          filter.to?.toLowerCase() ?? null,
          filter.limit + 1,
        ],
      }),
    );
    const records = rows
      .slice(0, filter.limit)
      .map((row): StoredDeliveryRecord => ({ ...row.record, seq: Number(row.seq) }));
    return { records, more: rows.length > filter.limit };
  }

  protected async deleteTenant(tenantId: string): Promise<number> {
    const { rowCount } = await unavailableAs('delivery log', () =>
      this.pool.query('DELETE FROM delivery_log WHERE tenant_id = $1', [tenantId]),
    );
    return rowCount ?? 0;
  }

  async purgeBefore(at: Date): Promise<number> {
    const { rowCount } = await unavailableAs('delivery log', () =>
      this.pool.query('DELETE FROM delivery_log WHERE at < $1', [at.toISOString()]),
    );
    return rowCount ?? 0;
  }

  protected closeStore(): Promise<void> {
    // The pool belongs to the PostgresDatabase of the process; it closes it.
    return Promise.resolve();
  }
}
