import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

/**
 * Appends to `streamId` in DATA_DIR/events.db, behind the service's back as a damaged disk or a
 * hand edit would, an event whose data is not JSON (a cut-off SMTP host). Returns where it sits.
 */
export function poisonEvent(dataDir: string, streamId: string): { version: number; position: bigint } {
  const db = new Database(join(dataDir, 'events.db'));
  try {
    const { v } = db.prepare('SELECT MAX(version) AS v FROM events WHERE stream_id = ?').get(streamId) as { v: number };
    const meta = JSON.stringify({ actor: 'agent', correlationId: 'c-poison', at: new Date().toISOString() });
    const inserted = db
      .prepare('INSERT INTO events (stream_id, version, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)')
      .run(streamId, v + 1, randomUUID(), 'SmtpConfigured', '{"host": "smtp.exa', meta);
    db.prepare('UPDATE streams SET version = ? WHERE stream_id = ?').run(v + 1, streamId);
    return { version: v + 1, position: BigInt(inserted.lastInsertRowid) };
  } finally {
    db.close();
  }
}
