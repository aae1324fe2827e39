import {
  type ProjectionPlan,
  type ProjectionStore,
  type ProjectionView,
} from '../../application/ports/projection-store.port';
import {
  type ProjectionCheckpoint,
  type SkippedEventType,
  type TenantRecord,
} from '../../application/ports/read-model.port';
import { searchTextOf } from './read-model-rows';
import { type SqliteReadModelDatabase } from './sqlite.read-model-database';

/**
 * The projection's writes on SQLite. A batch's reads, changes and checkpoint run in one IMMEDIATE
 * transaction, synchronously (better-sqlite3), which also serialises this writer against a rebuild
 * running in another process on the same file.
 */
export class SqliteProjectionStore implements ProjectionStore {
  private readonly s;

  constructor(private readonly database: SqliteReadModelDatabase) {
    const db = database.db;
    this.s = {
      checkpoint: db.prepare<[], { position: number; generation: number }>(
        'SELECT position, generation FROM checkpoint WHERE id = 1',
      ),
      advance: db.prepare('UPDATE checkpoint SET position = ?, updated_at = ? WHERE id = 1'),
      tenant: db.prepare<[string], { record: string }>('SELECT record FROM tenants WHERE tenant_id = ?'),
      putTenant: db.prepare(
        `INSERT INTO tenants (tenant_id, mode, status, gmail_revoked, smtp_failing, search, record)
         VALUES (@tenantId, @mode, @status, @gmailRevoked, @smtpFailing, @search, @record)
         ON CONFLICT(tenant_id) DO UPDATE SET mode = excluded.mode, status = excluded.status,
           gmail_revoked = excluded.gmail_revoked, smtp_failing = excluded.smtp_failing,
           search = excluded.search, record = excluded.record`,
      ),
      audit: db.prepare(
        'INSERT OR IGNORE INTO audit_events (position, tenant_id, type, at_ms, event) VALUES (?, ?, ?, ?, ?)',
      ),
      skip: db.prepare(
        `INSERT INTO skipped_events (type, count, last_position) VALUES (?, ?, ?)
         ON CONFLICT(type) DO UPDATE SET count = count + excluded.count, last_position = excluded.last_position`,
      ),
      skipped: db.prepare<[], { type: string; count: number; last_position: number }>(
        'SELECT type, count, last_position FROM skipped_events ORDER BY type',
      ),
    };
  }

  async checkpoint(): Promise<ProjectionCheckpoint> {
    return this.readCheckpoint();
  }

  async apply<T>(tenantIds: readonly string[], plan: (view: ProjectionView) => ProjectionPlan<T>): Promise<T> {
    const s = this.s;
    return this.database.db
      .transaction(() => {
        const tenants = new Map<string, TenantRecord>();
        for (const id of tenantIds) {
          const row = s.tenant.get(id);
          if (row) tenants.set(id, JSON.parse(row.record) as TenantRecord);
        }
        const { changes, result } = plan({ checkpoint: this.readCheckpoint(), tenants });
        if (!changes) return result;
        for (const { tenantId, event } of changes.audit) {
          const at = Date.parse(event.metadata.at);
          const { position, ...rest } = event;
          s.audit.run(position, tenantId, event.type, Number.isNaN(at) ? null : at, JSON.stringify(rest));
        }
        for (const r of changes.tenants) {
          s.putTenant.run({
            tenantId: r.tenantId,
            mode: r.mode,
            status: r.status,
            gmailRevoked: r.gmailRevokedAtGoogle ? 1 : 0,
            smtpFailing: r.smtpFailing ? 1 : 0,
            search: searchTextOf(r),
            record: JSON.stringify(r),
          });
        }
        for (const t of changes.skipped) s.skip.run(t.type, t.count, t.lastPosition);
        s.advance.run(changes.position, new Date().toISOString());
        return result;
      })
      .immediate();
  }

  async reset(): Promise<ProjectionCheckpoint> {
    const db = this.database.db;
    return db
      .transaction(() => {
        db.exec(`DELETE FROM tenants; DELETE FROM audit_events; DELETE FROM skipped_events;
          UPDATE checkpoint SET position = 0, generation = generation + 1, updated_at = NULL WHERE id = 1;`);
        return this.readCheckpoint();
      })
      .immediate();
  }

  async skipped(): Promise<SkippedEventType[]> {
    return this.s.skipped.all().map((r) => ({ type: r.type, count: r.count, lastPosition: BigInt(r.last_position) }));
  }

  /** The database is shared with the directory and the audit index; its owner closes it. */
  async close(): Promise<void> {}

  private readCheckpoint(): ProjectionCheckpoint {
    const row = this.s.checkpoint.get()!;
    return { position: BigInt(row.position), generation: row.generation };
  }
}
