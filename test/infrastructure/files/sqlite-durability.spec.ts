import type Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDataKeyStore } from '../../../src/infrastructure/crypto/data-key-store';
import { SqliteEventStore } from '../../../src/infrastructure/event-store/sqlite.event-store';
import { SqliteIdempotencyStore } from '../../../src/infrastructure/idempotency/sqlite-idempotency.store';

/**
 * The stores whose acknowledgement promises "on disk" must fsync every commit. better-sqlite3 is
 * built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1: a file that is already in WAL mode when it is opened
 * (every start after the first) runs synchronous=NORMAL unless the store says otherwise, which a
 * first-start test would never notice. So each store is opened twice here and asked on the second.
 */
const FULL = 2;

const stores: [string, (file: string) => { close(): Promise<void> }][] = [
  ['events.db', (file) => new SqliteEventStore(file, 250, { integrityCheck: false })],
  ['keys.db', (file) => new SqliteDataKeyStore(file)],
  ['idempotency.db', (file) => new SqliteIdempotencyStore(file)],
];

describe.each(stores)('%s', (name, open) => {
  it('runs synchronous=FULL when reopened in WAL mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcs-durable-'));
    try {
      const file = join(dir, name);
      await open(file).close();
      const store = open(file);
      const db = (store as unknown as { db: Database.Database }).db;
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(FULL);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
