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

/** Tenant records kept between batches: a few MB, and more tenants than a busy minute touches. */
const CACHED_TENANTS = 4096;

/**
 * The projection's writes on SQLite. A batch's reads, changes and checkpoint run in one IMMEDIATE
 * transaction, synchronously (better-sqlite3), which also serialises this writer against a rebuild
 * running in another process on the same file.
 *
 * Tenant records are cached between batches, so a batch neither selects nor parses the records it
 * wrote itself. The cache holds only while nothing else wrote the file: inside each batch's
 * transaction, a commit by another connection (SQLite's data_version: another instance after a
 * failover, a rebuild in another process) or a checkpoint other than the one the cache was filled
 * at drops it. It is filled only after a commit; a batch that fails drops it.
 */
export class SqliteProjectionStore implements ProjectionStore {
  private readonly s;
  /** Records by tenant as of `cachedAt`, least recently used first; null: known to have none. */
  private readonly cache = new Map<string, TenantRecord | null>();
  private cachedAt: (ProjectionCheckpoint & { dataVersion: number }) | null = null;
  /** Tenant records selected from the file (cache misses), for tests and the bench. */
  private recordsRead = 0;

  constructor(
    private readonly database: SqliteReadModelDatabase,
    private readonly cacheSize = CACHED_TENANTS,
  ) {
    const db = database.db;
    this.s = {
      checkpoint: db.prepare<[], { position: number; generation: number }>(
        'SELECT position, generation FROM checkpoint WHERE id = 1',
      ),
      advance: db.prepare('UPDATE checkpoint SET position = ?, updated_at = ? WHERE id = 1'),
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
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

  get stats(): { recordsRead: number; cached: number } {
    return { recordsRead: this.recordsRead, cached: this.cache.size };
  }

  async checkpoint(): Promise<ProjectionCheckpoint> {
    return this.readCheckpoint();
  }

  async apply<T>(tenantIds: readonly string[], plan: (view: ProjectionView) => ProjectionPlan<T>): Promise<T> {
    const s = this.s;
    const cachedAt = this.cachedAt;
    // Unusable until this batch has committed, whatever happens below.
    this.cachedAt = null;
    const loaded = new Map<string, TenantRecord | null>();
    let written: readonly TenantRecord[] = [];
    let reached: typeof cachedAt = null;
    try {
      const answer = this.database.db
        .transaction(() => {
          const checkpoint = this.readCheckpoint();
          const dataVersion = s.dataVersion.get()!;
          const valid =
            cachedAt?.dataVersion === dataVersion &&
            cachedAt.generation === checkpoint.generation &&
            cachedAt.position === checkpoint.position;
          if (!valid) this.cache.clear();
          const tenants = new Map<string, TenantRecord>();
          for (const id of tenantIds) {
            let record = this.cached(id);
            if (record === undefined) {
              const row = s.tenant.get(id);
              this.recordsRead += 1;
              record = row ? (JSON.parse(row.record) as TenantRecord) : null;
              loaded.set(id, record);
            }
            if (record) tenants.set(id, record);
          }
          const { changes, result } = plan({ checkpoint, tenants });
          // This connection's own commit leaves its data_version as it is.
          reached = { ...checkpoint, dataVersion, ...(changes ? { position: changes.position } : {}) };
          if (!changes) return result;
          written = changes.tenants;
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
      // Committed: what was read and written is now what the file holds at `reached`.
      for (const [id, record] of loaded) this.remember(id, record);
      for (const record of written) this.remember(record.tenantId, record);
      this.cachedAt = reached;
      return answer;
    } catch (error) {
      this.cache.clear();
      throw error;
    }
  }

  /** A cached record (now the most recently used), null for "none", undefined when not cached. */
  private cached(tenantId: string): TenantRecord | null | undefined {
    const record = this.cache.get(tenantId);
    if (record !== undefined) {
      this.cache.delete(tenantId);
      this.cache.set(tenantId, record);
    }
    return record;
  }

  private remember(tenantId: string, record: TenantRecord | null): void {
    if (this.cacheSize <= 0) return;
    this.cache.delete(tenantId);
    this.cache.set(tenantId, record);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  async reset(): Promise<ProjectionCheckpoint> {
    this.cachedAt = null;
    this.cache.clear();
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
