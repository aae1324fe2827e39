import Database from 'better-sqlite3';
import { ownerOnlySqliteFile } from '../files/owner-only';
import { READ_MODEL_SCHEMA, READ_MODEL_UPGRADE_1 } from './read-model.schema';

/**
 * The read models in one SQLite file (WAL), shared by the projection store, the tenant directory
 * and the audit index of the embedded and single-node shapes.
 */
export class SqliteReadModelDatabase {
  readonly db: Database.Database;

  constructor(file: string) {
    ownerOnlySqliteFile(file);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(READ_MODEL_SCHEMA);
    this.upgrade();
  }

  /**
   * Rows projected by earlier versions, brought to today's rules without a rebuild (user_version
   * counts the steps done): 1 — "SMTP failing" only in SMTP mode, Gmail/Microsoft accounts searchable.
   */
  private upgrade(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version >= 1) return;
    this.db.transaction(() => {
      this.db.exec(READ_MODEL_UPGRADE_1);
      this.db.pragma('user_version = 1');
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
