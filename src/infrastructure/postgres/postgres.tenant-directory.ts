import { type Pool } from 'pg';
import { type TenantRecord, type TenantRow } from '../../application/ports/read-model.port';
import {
  type TenantPanelRecord,
  type ReadModelCounts,
  type TenantDirectory,
  type TenantFilter,
} from '../../application/ports/tenant-directory.port';
import { toCounts, toPanelRecord, toTenantRow, usernameKeySql } from '../read-models/read-model-rows';
import { containing } from '../read-models/sql-where';
import { unavailableAs } from './postgres-errors';

const SUMS = `SELECT count(*) FILTER (WHERE status <> 'erased')::int AS tenants,
    count(*) FILTER (WHERE status = 'needs_attention')::int AS needs,
    count(*) FILTER (WHERE status <> 'erased' AND gmail_revoked)::int AS revoked,
    count(*) FILTER (WHERE status <> 'erased' AND smtp_failing)::int AS smtp,
    count(*) FILTER (WHERE status = 'erased')::int AS erased
  FROM read_model_tenants`;
const BY_MODE = "SELECT mode, count(*)::int AS n FROM read_model_tenants WHERE status <> 'erased' GROUP BY mode";
/** The username key of the row `alias` (the expression of migration 0011's index). */
const usernameKey = (alias: string) => usernameKeySql((member) => `(${alias}.record->>'${member}')`);
const TENANT = `SELECT record, EXISTS (SELECT 1 FROM read_model_tenants other
      WHERE ${usernameKey('other')} = ${usernameKey('t')} AND other.tenant_id <> t.tenant_id) AS duplicate
  FROM read_model_tenants t WHERE tenant_id = $1`;
// One statement for every filter: an absent filter is a NULL parameter that matches everything.
// A shared username is found across rows when read (erased tenants included).
const TENANTS = `SELECT record, EXISTS (SELECT 1 FROM read_model_tenants other
      WHERE ${usernameKey('other')} = ${usernameKey('t')} AND other.tenant_id <> t.tenant_id) AS duplicate
  FROM read_model_tenants t
  WHERE ($1::text IS NULL OR mode = $1) AND ($2::text IS NULL OR status = $2)
    AND ($3::text IS NULL OR search LIKE $3 ESCAPE '\\') AND ($4::text IS NULL OR tenant_id > $4)
  ORDER BY tenant_id LIMIT $5`;

/** The dashboard's tenant rows and counters from the shared tables: the same on every instance. */
export class PostgresTenantDirectory implements TenantDirectory {
  constructor(private readonly pool: Pool) {}

  async counts(): Promise<ReadModelCounts> {
    return unavailableAs('dashboard counts', async () => {
      const [sums, byMode] = await Promise.all([
        this.pool.query({ name: 'mcs_dashboard_sums', text: SUMS }),
        this.pool.query<{ mode: string; n: number }>({ name: 'mcs_dashboard_by_mode', text: BY_MODE }),
      ]);
      return toCounts(sums.rows[0], byMode.rows);
    });
  }

  async tenant(tenantId: string): Promise<TenantPanelRecord | null> {
    return unavailableAs('dashboard tenant', async () => {
      const { rows } = await this.pool.query<{ record: TenantRecord; duplicate: boolean }>({
        name: 'mcs_dashboard_tenant',
        text: TENANT,
        values: [tenantId],
      });
      return rows[0] ? toPanelRecord(rows[0].record, rows[0].duplicate) : null;
    });
  }

  async tenants(filter: TenantFilter): Promise<TenantRow[]> {
    return unavailableAs('dashboard tenants', async () => {
      const { rows } = await this.pool.query<{ record: TenantRecord; duplicate: boolean }>({
        name: 'mcs_dashboard_tenants',
        text: TENANTS,
        values: [
          filter.mode ?? null,
          filter.status ?? null,
          filter.q ? containing(filter.q) : null,
          filter.afterTenantId ?? null,
          filter.limit,
        ],
      });
      return rows.map((r) => toTenantRow(r.record, r.duplicate));
    });
  }
}
