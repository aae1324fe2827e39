import Database from 'better-sqlite3';
import { ownerOnlySqliteFile } from '../files/owner-only';
import { READ_MODEL_SCHEMA } from './read-model.schema';

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
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
