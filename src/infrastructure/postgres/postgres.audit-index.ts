import { type Pool } from 'pg';
import { type AuditFilter, type AuditIndex } from '../../application/ports/audit-index.port';
import { type StoredEvent } from '../../application/ports/event-store.port';
import { unavailableAs } from './postgres-errors';

// An unparseable time (NULL at_ms) passes the time filters, as it does in the tenant history.
// The position leaves as text (int8 beyond 2^53 would not survive a JS number), under another name:
// ORDER BY position must sort the bigint column, not that text.
const EVENTS = `SELECT position::text AS pos, event FROM read_model_audit_events
  WHERE position > $1 AND ($2::text IS NULL OR tenant_id = $2) AND ($3::text[] IS NULL OR type = ANY($3))
    AND ($4::bigint IS NULL OR at_ms IS NULL OR at_ms >= $4) AND ($5::bigint IS NULL OR at_ms IS NULL OR at_ms <= $5)
  ORDER BY position LIMIT $6`;

/** The cross-tenant audit index in the shared tables: the same on every instance. */
export class PostgresAuditIndex implements AuditIndex {
  constructor(private readonly pool: Pool) {}

  async auditEvents(filter: AuditFilter): Promise<StoredEvent[]> {
    return unavailableAs('audit index', async () => {
      const { rows } = await this.pool.query<{ pos: string; event: Omit<StoredEvent, 'position'> }>({
        name: 'mcs_audit_events',
        text: EVENTS,
        values: [
          (filter.afterPosition ?? 0n).toString(),
          filter.tenantId ?? null,
          filter.types && filter.types.length > 0 ? filter.types : null,
          filter.sinceMs ?? null,
          filter.untilMs ?? null,
          filter.limit,
        ],
      });
      return rows.map((r) => ({ ...r.event, position: BigInt(r.pos) }));
    });
  }
}
