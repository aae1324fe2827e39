import Database from 'better-sqlite3';

export interface WrappedDataKey {
  tenantId: string;
  dataKeyId: string;
  masterKeyId: string;
  wrapped: Buffer | null;
}

/**
 * Per-tenant data keys, wrapped by a master key, in DATA_DIR/keys.db. secure_delete overwrites
 * a shredded key's bytes on disk instead of leaving them in a free page.
 */
export class DataKeyStore {
  private readonly db: Database.Database;

  constructor(file: string) {
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

  get(tenantId: string): WrappedDataKey | undefined {
    const row = this.db
      .prepare<[string], { tenant_id: string; data_key_id: string; master_key_id: string; wrapped: Buffer | null }>(
        'SELECT tenant_id, data_key_id, master_key_id, wrapped FROM data_keys WHERE tenant_id = ?',
      )
      .get(tenantId);
    return (
      row && {
        tenantId: row.tenant_id,
        dataKeyId: row.data_key_id,
        masterKeyId: row.master_key_id,
        wrapped: row.wrapped,
      }
    );
  }

  /** Inserts unless a key already exists (another request or instance won the race); returns the stored one. */
  insertIfAbsent(key: WrappedDataKey): WrappedDataKey {
    this.db
      .prepare('INSERT OR IGNORE INTO data_keys (tenant_id, data_key_id, master_key_id, wrapped) VALUES (?, ?, ?, ?)')
      .run(key.tenantId, key.dataKeyId, key.masterKeyId, key.wrapped);
    return this.get(key.tenantId)!;
  }

  rewrap(tenantId: string, masterKeyId: string, wrapped: Buffer): void {
    this.db
      .prepare('UPDATE data_keys SET master_key_id = ?, wrapped = ? WHERE tenant_id = ? AND wrapped IS NOT NULL')
      .run(masterKeyId, wrapped, tenantId);
  }

  shred(tenantId: string, at: string): void {
    this.db
      .prepare(
        `INSERT INTO data_keys (tenant_id, data_key_id, master_key_id, wrapped, shredded_at) VALUES (?, 'shredded', 'none', NULL, ?)
         ON CONFLICT(tenant_id) DO UPDATE SET wrapped = NULL, shredded_at = excluded.shredded_at`,
      )
      .run(tenantId, at);
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** Tenants whose data key is wrapped by a master key other than `masterKeyId`. */
  wrappedByOtherThan(masterKeyId: string): string[] {
    return this.db
      .prepare<[string], { tenant_id: string }>(
        'SELECT tenant_id FROM data_keys WHERE wrapped IS NOT NULL AND master_key_id <> ? ORDER BY tenant_id',
      )
      .all(masterKeyId)
      .map((r) => r.tenant_id);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
