import Database from 'better-sqlite3';
import { ownerOnlySqliteFile } from '../files/owner-only';
import type {
  DeliveryLogFilter,
  DeliveryLogPage,
  DeliveryRecord,
  StoredDeliveryRecord,
} from '../../application/ports/delivery-log.port';
import { BatchingDeliveryLog, recipientsOf } from './batching-delivery-log';

interface Row {
  seq: number;
  record: string;
}

/**
 * The delivery log of the embedded shape, in DATA_DIR/delivery-log.db. A file of its own: its
 * batched writes never queue behind the event store's commits, and `synchronous=NORMAL` is enough
 * for a log (a power cut may cost the last records, never an acknowledged configuration change).
 * Recipients sit in a table of their own so "messages to this address" is an index lookup.
 */
export class SqliteDeliveryLog extends BatchingDeliveryLog {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly insertRecipient: Database.Statement;
  private readonly search_: Database.Statement;
  private readonly writeAll: (records: DeliveryRecord[]) => void;

  constructor(file: string) {
    super();
    ownerOnlySqliteFile(file);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS delivery_log (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant_id TEXT    NOT NULL,
        at_ms     INTEGER NOT NULL,
        outcome   TEXT    NOT NULL,
        record    TEXT    NOT NULL
      );
      CREATE INDEX IF NOT EXISTS delivery_log_tenant ON delivery_log (tenant_id, seq);
      CREATE INDEX IF NOT EXISTS delivery_log_at ON delivery_log (at_ms);
      CREATE TABLE IF NOT EXISTS delivery_log_recipients (
        tenant_id TEXT    NOT NULL,
        address   TEXT    NOT NULL,
        seq       INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, address, seq)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS delivery_log_recipients_seq ON delivery_log_recipients (seq);`);
    this.insert = this.db.prepare(
      'INSERT INTO delivery_log (tenant_id, at_ms, outcome, record) VALUES (?, ?, ?, ?) RETURNING seq',
    );
    this.insertRecipient = this.db.prepare(
      'INSERT OR IGNORE INTO delivery_log_recipients (tenant_id, address, seq) VALUES (?, ?, ?)',
    );
    // One statement for every filter combination: a NULL parameter switches its condition off.
    this.search_ = this.db.prepare(`
      SELECT seq, record FROM delivery_log
      WHERE tenant_id = @tenant
        AND (@before IS NULL OR seq < @before)
        AND (@since IS NULL OR at_ms >= @since)
        AND (@until IS NULL OR at_ms <= @until)
        AND (@outcome IS NULL OR outcome = @outcome)
        AND (@to IS NULL OR seq IN (
          SELECT seq FROM delivery_log_recipients WHERE tenant_id = @tenant AND address = @to))
      ORDER BY seq DESC LIMIT @limit`);
    this.writeAll = this.db.transaction((records: DeliveryRecord[]) => {
      for (const r of records) {
        const { seq } = this.insert.get(r.tenantId, Date.parse(r.at), r.outcome, JSON.stringify(r)) as { seq: number };
        for (const address of recipientsOf(r)) this.insertRecipient.run(r.tenantId, address, seq);
      }
    });
  }

  protected writeBatch(records: DeliveryRecord[]): Promise<void> {
    this.writeAll(records);
    return Promise.resolve();
  }

  search(tenantId: string, filter: DeliveryLogFilter): Promise<DeliveryLogPage> {
    const rows = this.search_.all({
      tenant: tenantId,
      before: filter.before ?? null,
      since: filter.since?.getTime() ?? null,
      until: filter.until?.getTime() ?? null,
      outcome: filter.outcome ?? null,
      to: filter.to?.toLowerCase() ?? null,
      limit: filter.limit + 1,
    }) as Row[];
    const records = rows
      .slice(0, filter.limit)
      .map((row): StoredDeliveryRecord => ({ ...(JSON.parse(row.record) as DeliveryRecord), seq: row.seq }));
    return Promise.resolve({ records, more: rows.length > filter.limit });
  }

  protected deleteTenant(tenantId: string): Promise<number> {
    const erase = this.db.transaction(() => {
      this.db.prepare('DELETE FROM delivery_log_recipients WHERE tenant_id = ?').run(tenantId);
      return this.db.prepare('DELETE FROM delivery_log WHERE tenant_id = ?').run(tenantId).changes;
    });
    return Promise.resolve(erase());
  }

  purgeBefore(at: Date): Promise<number> {
    const purge = this.db.transaction(() => {
      const cutoff = at.getTime();
      this.db
        .prepare(`DELETE FROM delivery_log_recipients WHERE seq IN (SELECT seq FROM delivery_log WHERE at_ms < ?)`)
        .run(cutoff);
      return this.db.prepare('DELETE FROM delivery_log WHERE at_ms < ?').run(cutoff).changes;
    });
    return Promise.resolve(purge());
  }

  protected closeStore(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}
