import { type TenantRecord, type TenantRow } from '../../application/ports/read-model.port';
import {
  type TenantPanelRecord,
  type ReadModelCounts,
  type TenantDirectory,
  type TenantFilter,
} from '../../application/ports/tenant-directory.port';
import { containing, Where } from './sql-where';
import { toCounts, toPanelRecord, toTenantRow, usernameKeySql } from './read-model-rows';
import { type SqliteReadModelDatabase } from './sqlite.read-model-database';

/** The username key of the row `alias` (the expression the tenants_by_username_key index is on). */
export const sqliteUsernameKey = (alias: string) =>
  usernameKeySql((member) => `json_extract(${alias}.record, '$.${member}')`);

type Sums = { tenants: number; needs: number; revoked: number; smtp: number; erased: number };

/** The dashboard's tenant rows and counters on SQLite. */
export class SqliteTenantDirectory implements TenantDirectory {
  private readonly s;

  constructor(private readonly database: SqliteReadModelDatabase) {
    this.s = {
      sums: database.db.prepare<[], Sums>(
        `SELECT COALESCE(SUM(status != 'erased'), 0) AS tenants,
           COALESCE(SUM(status = 'needs_attention'), 0) AS needs,
           COALESCE(SUM(status != 'erased' AND gmail_revoked = 1), 0) AS revoked,
           COALESCE(SUM(status != 'erased' AND smtp_failing = 1), 0) AS smtp,
           COALESCE(SUM(status = 'erased'), 0) AS erased
         FROM tenants`,
      ),
      byMode: database.db.prepare<[], { mode: string; n: number }>(
        "SELECT mode, COUNT(*) AS n FROM tenants WHERE status != 'erased' GROUP BY mode",
      ),
      one: database.db.prepare<[string], { record: string }>('SELECT record FROM tenants WHERE tenant_id = ?'),
    };
  }

  async counts(): Promise<ReadModelCounts> {
    return toCounts(this.s.sums.get()!, this.s.byMode.all());
  }

  async tenant(tenantId: string): Promise<TenantPanelRecord | null> {
    const row = this.database.db
      .prepare<[string], { record: string; duplicate: number }>(
        `SELECT record, EXISTS (SELECT 1 FROM tenants other
          WHERE ${sqliteUsernameKey('other')} = ${sqliteUsernameKey('tenants')} AND other.tenant_id != tenants.tenant_id
        ) AS duplicate FROM tenants WHERE tenant_id = ?`,
      )
      .get(tenantId);
    return row ? toPanelRecord(JSON.parse(row.record) as TenantRecord, row.duplicate === 1) : null;
  }

  async tenants(filter: TenantFilter): Promise<TenantRow[]> {
    const w = new Where();
    if (filter.mode) w.add('mode = ?', filter.mode);
    if (filter.status) w.add('status = ?', filter.status);
    if (filter.q) w.add("search LIKE ? ESCAPE '\\'", containing(filter.q));
    if (filter.afterTenantId !== undefined) w.add('tenant_id > ?', filter.afterTenantId);
    // The same key on another row, erased ones included: a shared address is found when read, so
    // provisioning one tenant never has to rewrite the row of another.
    const sql = `SELECT record, EXISTS (SELECT 1 FROM tenants other
        WHERE ${sqliteUsernameKey('other')} = ${sqliteUsernameKey('tenants')} AND other.tenant_id != tenants.tenant_id
      ) AS duplicate FROM tenants ${w.sql()} ORDER BY tenant_id LIMIT ?`;
    return this.database.db
      .prepare<unknown[], { record: string; duplicate: number }>(sql)
      .all(...w.params, filter.limit)
      .map((r) => toTenantRow(JSON.parse(r.record) as TenantRecord, r.duplicate === 1));
  }
}
