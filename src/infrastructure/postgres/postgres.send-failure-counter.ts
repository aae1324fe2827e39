import { type Pool } from 'pg';
import { type SendFailureCounter } from '../../application/ports/send-failure-counter.port';
import { type Mode } from '../../domain/mail-config/mail-config.types';
import { unavailableAs } from './postgres-errors';

// The row lock of the upsert orders instances failing for one tenant at once: no count is lost.
const FAILED = `
INSERT INTO send_failure_counts AS c (tenant_id, mode, count) VALUES ($1, $2, 1)
ON CONFLICT (tenant_id) DO UPDATE SET
  count = CASE WHEN c.mode = excluded.mode THEN c.count + 1 ELSE 1 END,
  mode = excluded.mode
RETURNING count`;

/** Consecutive send failures in the replicated shape's PostgreSQL: one count per tenant across instances. */
export class PostgresSendFailureCounter implements SendFailureCounter {
  constructor(private readonly pool: Pool) {}

  async failed(tenantId: string, mode: Mode): Promise<number> {
    const { rows } = await unavailableAs('send failure count', () =>
      this.pool.query<{ count: number }>({ name: 'mcs_send_failed', text: FAILED, values: [tenantId, mode] }),
    );
    return rows[0].count;
  }

  async succeeded(tenantId: string): Promise<void> {
    await unavailableAs('send failure count', () =>
      this.pool.query({
        name: 'mcs_send_succeeded',
        text: 'DELETE FROM send_failure_counts WHERE tenant_id = $1',
        values: [tenantId],
      }),
    );
  }
}
