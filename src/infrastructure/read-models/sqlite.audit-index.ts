import { type AuditFilter, type AuditIndex } from '../../application/ports/audit-index.port';
import { type StoredEvent } from '../../application/ports/event-store.port';
import { Where } from './sql-where';
import { type SqliteReadModelDatabase } from './sqlite.read-model-database';

/** The cross-tenant audit index on SQLite. */
export class SqliteAuditIndex implements AuditIndex {
  constructor(private readonly database: SqliteReadModelDatabase) {}

  async auditEvents(filter: AuditFilter): Promise<StoredEvent[]> {
    const w = new Where().add('position > ?', filter.afterPosition ?? 0n);
    if (filter.tenantId !== undefined) w.add('tenant_id = ?', filter.tenantId);
    if (filter.types && filter.types.length > 0) {
      w.add(`type IN (${filter.types.map(() => '?').join(', ')})`, ...filter.types);
    }
    // An unparseable time passes the time filters, as it does in the tenant history.
    if (filter.sinceMs !== undefined) w.add('(at_ms IS NULL OR at_ms >= ?)', filter.sinceMs);
    if (filter.untilMs !== undefined) w.add('(at_ms IS NULL OR at_ms <= ?)', filter.untilMs);
    const sql = `SELECT position, event FROM audit_events ${w.sql()} ORDER BY position LIMIT ?`;
    return this.database.db
      .prepare<unknown[], { position: number; event: string }>(sql)
      .all(...w.params, filter.limit)
      .map((r) => ({ ...(JSON.parse(r.event) as Omit<StoredEvent, 'position'>), position: BigInt(r.position) }));
  }
}
