import Database from 'better-sqlite3';
import { ownerOnlySqliteFile } from '../files/owner-only';
import {
  type DataKeyPage,
  type DataKeyRecord,
  type DataKeyStore,
  type WrappedDataKey,
} from '../../application/ports/data-key-store.port';

interface Row {
  tenant_id: string;
  data_key_id: string;
  master_key_id: string;
  wrapped: Buffer | null;
  shredded_at: string | null;
}

const toKey = (r: Row): WrappedDataKey => ({
  tenantId: r.tenant_id,
  dataKeyId: r.data_key_id,
  masterKeyId: r.master_key_id,
  wrapped: r.wrapped!,
});

/**
 * Per-tenant data keys in DATA_DIR/keys.db (embedded and single-node shapes). A shredded tenant
 * keeps its row with the key set to NULL; secure_delete overwrites the key's bytes on disk
 * instead of leaving them in a free page, and the WAL is truncated after a shredding.
 */
export class SqliteDataKeyStore implements DataKeyStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    ownerOnlySqliteFile(file);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // Explicit: better-sqlite3 builds with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1, so a WAL connection
    // would otherwise run NORMAL, and a key (or a shred) could be lost on power failure after the
    // events sealed with it were acknowledged.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('secure_delete = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS data_keys (
      tenant_id     TEXT PRIMARY KEY,
      data_key_id   TEXT NOT NULL,
      master_key_id TEXT NOT NULL,
      wrapped       BLOB,
      shredded_at   TEXT
    )`);
  }

  async get(tenantId: string): Promise<DataKeyRecord | undefined> {
    const row = this.db.prepare<[string], Row>('SELECT * FROM data_keys WHERE tenant_id = ?').get(tenantId);
    if (!row) return undefined;
    return row.wrapped === null
      ? { state: 'shredded', tenantId, shreddedAt: row.shredded_at ?? new Date(0).toISOString() }
      : { state: 'active', key: toKey(row) };
  }

  async insertIfAbsent(key: WrappedDataKey): Promise<DataKeyRecord> {
    this.db
      .prepare('INSERT OR IGNORE INTO data_keys (tenant_id, data_key_id, master_key_id, wrapped) VALUES (?, ?, ?, ?)')
      .run(key.tenantId, key.dataKeyId, key.masterKeyId, key.wrapped);
    return (await this.get(key.tenantId))!;
  }

  async rewrap(key: WrappedDataKey, fromMasterKeyId: string): Promise<boolean> {
    const result = this.db
      .prepare(
        `UPDATE data_keys SET master_key_id = ?, wrapped = ?
         WHERE tenant_id = ? AND data_key_id = ? AND master_key_id = ? AND wrapped IS NOT NULL`,
      )
      .run(key.masterKeyId, key.wrapped, key.tenantId, key.dataKeyId, fromMasterKeyId);
    return result.changes === 1;
  }

  async shred(tenantId: string, at: string): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO data_keys (tenant_id, data_key_id, master_key_id, wrapped, shredded_at)
         VALUES (?, 'shredded', 'none', NULL, ?)
         ON CONFLICT(tenant_id) DO UPDATE SET wrapped = NULL,
           shredded_at = COALESCE(data_keys.shredded_at, excluded.shredded_at)`,
      )
      .run(tenantId, at);
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async wrappedByOtherThan(masterKeyId: string, page: DataKeyPage): Promise<WrappedDataKey[]> {
    return this.db
      .prepare<[string, string, number], Row>(
        `SELECT * FROM data_keys WHERE wrapped IS NOT NULL AND master_key_id <> ? AND tenant_id > ?
         ORDER BY tenant_id LIMIT ?`,
      )
      .all(masterKeyId, page.afterTenantId ?? '', page.limit)
      .map(toKey);
  }

  async countWrappedByOtherThan(masterKeyId: string): Promise<number> {
    return this.db
      .prepare<[string], { n: number }>(
        'SELECT count(*) AS n FROM data_keys WHERE wrapped IS NOT NULL AND master_key_id <> ?',
      )
      .get(masterKeyId)!.n;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
