import Database from 'better-sqlite3';
import { type StoredEvent } from '../../application/ports/event-store.port';
import {
  type AuditFilter,
  type ProjectionCheckpoint,
  type ReadModelCounts,
  type ReadModelStore,
  type ReadModelTransaction,
  type SkippedEventType,
  type TenantFilter,
  type TenantRecord,
  type TenantRow,
} from '../../application/ports/read-model.port';
import { DATA_DIR_LAYOUT } from '../data-dir-layout';
import { READ_MODEL_SCHEMA } from './read-model.schema';
import { containing, Where } from './sql-where';

/** The read models' file name inside DATA_DIR. */
export const READ_MODELS_FILE = DATA_DIR_LAYOUT.readModels;

interface TenantDbRow {
  record: string;
}
interface CountsRow {
  tenants: number | null;
  bydefault: number | null;
  bygmail: number | null;
  bymicrosoft: number | null;
  bysmtp: number | null;
  needs: number | null;
  revoked: number | null;
  smtp: number | null;
  erased: number | null;
}

const toRow = ({ record }: TenantDbRow): TenantRow => {
  const r = JSON.parse(record) as TenantRecord;
  return {
    tenantId: r.tenantId,
    username: r.username,
    mode: r.mode,
    sender: r.sender,
    status: r.status,
    attention: r.attention,
    lastChangeAt: r.lastChangeAt,
    lastChangeBy: r.lastChangeBy,
  };
};

/**
 * The read models in one SQLite file (WAL). Every event's changes and the checkpoint are written
 * in one IMMEDIATE transaction, which also serialises this writer against a rebuild running in
 * another process on the same file.
 */
export class SqliteReadModelStore implements ReadModelStore {
  private readonly db: Database.Database;
  private readonly s;
  private readonly tx: ReadModelTransaction;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(READ_MODEL_SCHEMA);
    this.s = {
      checkpoint: this.db.prepare<[], { position: number; generation: number }>(
        'SELECT position, generation FROM checkpoint WHERE id = 1',
      ),
      advance: this.db.prepare('UPDATE checkpoint SET position = ?, updated_at = ? WHERE id = 1'),
      tenant: this.db.prepare<[string], TenantDbRow>('SELECT record FROM tenants WHERE tenant_id = ?'),
      putTenant: this.db.prepare(
        `INSERT INTO tenants (tenant_id, mode, status, gmail_revoked, smtp_failing, search, record)
         VALUES (@tenantId, @mode, @status, @gmailRevoked, @smtpFailing, @search, @record)
         ON CONFLICT(tenant_id) DO UPDATE SET mode = excluded.mode, status = excluded.status,
           gmail_revoked = excluded.gmail_revoked, smtp_failing = excluded.smtp_failing,
           search = excluded.search, record = excluded.record`,
      ),
      audit: this.db.prepare(
        'INSERT OR IGNORE INTO audit_events (position, tenant_id, type, at_ms, event) VALUES (?, ?, ?, ?, ?)',
      ),
      skip: this.db.prepare(
        `INSERT INTO skipped_events (type, count, last_position) VALUES (?, 1, ?)
         ON CONFLICT(type) DO UPDATE SET count = count + 1, last_position = excluded.last_position`,
      ),
      skipped: this.db.prepare<[], { type: string; count: number; last_position: number }>(
        'SELECT type, count, last_position FROM skipped_events ORDER BY type',
      ),
      counts: this.db.prepare<[], CountsRow>(
        `SELECT SUM(status != 'erased') AS tenants,
           SUM(status != 'erased' AND mode = 'default') AS bydefault,
           SUM(status != 'erased' AND mode = 'gmail') AS bygmail,
           SUM(status != 'erased' AND mode = 'microsoft') AS bymicrosoft,
           SUM(status != 'erased' AND mode = 'smtp') AS bysmtp,
           SUM(status = 'needs_attention') AS needs,
           SUM(status != 'erased' AND gmail_revoked = 1) AS revoked,
           SUM(status != 'erased' AND smtp_failing = 1) AS smtp,
           SUM(status = 'erased') AS erased
         FROM tenants`,
      ),
    };
    const s = this.s;
    this.tx = {
      checkpoint: () => this.checkpoint(),
      tenant: (tenantId) => {
        const row = s.tenant.get(tenantId);
        return row ? (JSON.parse(row.record) as TenantRecord) : null;
      },
      putTenant: (r) =>
        s.putTenant.run({
          tenantId: r.tenantId,
          mode: r.mode,
          status: r.status,
          gmailRevoked: r.gmailRevokedAtGoogle ? 1 : 0,
          smtpFailing: r.smtpFailing ? 1 : 0,
          search: [r.tenantId, r.username ?? '', r.sender ?? ''].join('\n').toLowerCase(),
          record: JSON.stringify(r),
        }),
      indexAuditEvent: (tenantId, e) => {
        const at = Date.parse(e.metadata.at);
        const { position, ...rest } = e;
        s.audit.run(position, tenantId, e.type, Number.isNaN(at) ? null : at, JSON.stringify(rest));
      },
      recordSkipped: (type, position) => s.skip.run(type, position),
      advance: (position) => s.advance.run(position, new Date().toISOString()),
    };
  }

  transaction<T>(work: (tx: ReadModelTransaction) => T): T {
    return this.db.transaction(() => work(this.tx)).immediate();
  }

  checkpoint(): ProjectionCheckpoint {
    const row = this.s.checkpoint.get()!;
    return { position: BigInt(row.position), generation: row.generation };
  }

  reset(): ProjectionCheckpoint {
    return this.db
      .transaction(() => {
        this.db.exec(`DELETE FROM tenants; DELETE FROM audit_events; DELETE FROM skipped_events;
          UPDATE checkpoint SET position = 0, generation = generation + 1, updated_at = NULL WHERE id = 1;`);
        return this.checkpoint();
      })
      .immediate();
  }

  counts(): ReadModelCounts {
    const c = this.s.counts.get()!;
    return {
      tenants: c.tenants ?? 0,
      byMode: {
        default: c.bydefault ?? 0,
        gmail: c.bygmail ?? 0,
        microsoft: c.bymicrosoft ?? 0,
        smtp: c.bysmtp ?? 0,
      },
      needsAttention: c.needs ?? 0,
      gmailRevoked: c.revoked ?? 0,
      smtpFailing: c.smtp ?? 0,
      erased: c.erased ?? 0,
    };
  }

  tenants(filter: TenantFilter): TenantRow[] {
    const w = new Where();
    if (filter.mode) w.add('mode = ?', filter.mode);
    if (filter.status) w.add('status = ?', filter.status);
    if (filter.q) w.add("search LIKE ? ESCAPE '\\'", containing(filter.q));
    if (filter.afterTenantId !== undefined) w.add('tenant_id > ?', filter.afterTenantId);
    const sql = `SELECT record FROM tenants ${w.sql()} ORDER BY tenant_id LIMIT ?`;
    return this.db
      .prepare<unknown[], TenantDbRow>(sql)
      .all(...w.params, filter.limit)
      .map(toRow);
  }

  auditEvents(filter: AuditFilter): StoredEvent[] {
    const w = new Where().add('position > ?', filter.afterPosition ?? 0n);
    if (filter.tenantId !== undefined) w.add('tenant_id = ?', filter.tenantId);
    if (filter.types && filter.types.length > 0) {
      w.add(`type IN (${filter.types.map(() => '?').join(', ')})`, ...filter.types);
    }
    // An unparseable time passes the time filters, as it does in the tenant history.
    if (filter.sinceMs !== undefined) w.add('(at_ms IS NULL OR at_ms >= ?)', filter.sinceMs);
    if (filter.untilMs !== undefined) w.add('(at_ms IS NULL OR at_ms <= ?)', filter.untilMs);
    const sql = `SELECT position, event FROM audit_events ${w.sql()} ORDER BY position LIMIT ?`;
    return this.db
      .prepare<unknown[], { position: number; event: string }>(sql)
      .all(...w.params, filter.limit)
      .map((r) => ({ ...(JSON.parse(r.event) as Omit<StoredEvent, 'position'>), position: BigInt(r.position) }));
  }

  skipped(): SkippedEventType[] {
    return this.s.skipped.all().map((r) => ({ type: r.type, count: r.count, lastPosition: BigInt(r.last_position) }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
