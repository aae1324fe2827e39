import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { ownerOnlySqliteFile } from '../files/owner-only';
import {
  type ClaimedWebhookDelivery,
  type NewWebhookDelivery,
  type WebhookAttemptRecord,
  type WebhookDelivery,
  type WebhookDeliveryPage,
  type WebhookDeliveryStatus,
  type WebhookDeliveryStore,
} from '../../application/ports/webhook-delivery-store.port';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_checkpoint (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  position   INTEGER NOT NULL,
  updated_at TEXT
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id               TEXT PRIMARY KEY,
  event_id         TEXT NOT NULL,
  position         INTEGER NOT NULL UNIQUE,
  tenant_id        TEXT NOT NULL,
  type             TEXT NOT NULL,
  body             TEXT NOT NULL,
  status           TEXT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  schedule_index   INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  next_attempt_at  INTEGER,
  claim            TEXT,
  last_attempt_at  INTEGER,
  last_status_code INTEGER,
  last_error       TEXT,
  delivered_at     INTEGER,
  failed_at        INTEGER,
  replays          INTEGER NOT NULL DEFAULT 0,
  last_replayed_by TEXT
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_status ON webhook_deliveries (status, position);
`;

interface Row {
  id: string;
  event_id: string;
  position: number;
  tenant_id: string;
  type: string;
  body: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  schedule_index: number;
  created_at: number;
  next_attempt_at: number | null;
  claim: string | null;
  last_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: number | null;
  failed_at: number | null;
  replays: number;
  last_replayed_by: string | null;
}

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

function toDelivery(r: Row): WebhookDelivery {
  return {
    id: r.id,
    eventId: r.event_id,
    position: BigInt(r.position),
    tenantId: r.tenant_id,
    type: r.type,
    body: r.body,
    status: r.status,
    attempts: r.attempts,
    scheduleIndex: r.schedule_index,
    createdAt: new Date(r.created_at),
    nextAttemptAt: date(r.next_attempt_at),
    lastAttemptAt: date(r.last_attempt_at),
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    deliveredAt: date(r.delivered_at),
    failedAt: date(r.failed_at),
    replays: r.replays,
    lastReplayedBy: r.last_replayed_by,
  };
}

/**
 * The webhook queue of the embedded and single-node shapes: one SQLite file in DATA_DIR beside
 * the read models (WAL). One process works it, so a claim is a row update inside an IMMEDIATE
 * transaction; the lease still matters across a crash.
 */
export class SqliteWebhookDeliveryStore implements WebhookDeliveryStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    ownerOnlySqliteFile(file);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  async checkpoint(): Promise<bigint | null> {
    return this.readCheckpoint();
  }

  async initialise(position: bigint): Promise<bigint> {
    this.db
      .prepare('INSERT OR IGNORE INTO webhook_checkpoint (id, position, updated_at) VALUES (1, ?, ?)')
      .run(position, new Date().toISOString());
    return this.readCheckpoint()!;
  }

  async rewind(position: bigint): Promise<void> {
    this.db.prepare('UPDATE webhook_checkpoint SET position = ?, updated_at = ? WHERE id = 1').run(position, now());
  }

  async enqueue(
    deliveries: readonly NewWebhookDelivery[],
    position: bigint,
    erasedTenants: readonly string[] = [],
  ): Promise<number> {
    const erase = this.db.prepare('DELETE FROM webhook_deliveries WHERE tenant_id = ?');
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO webhook_deliveries
         (id, event_id, position, tenant_id, type, body, status, created_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    );
    return this.db
      .transaction(() => {
        const checkpoint = this.readCheckpoint() ?? 0n;
        if (position <= checkpoint) return 0;
        for (const tenantId of erasedTenants) erase.run(tenantId);
        const at = Date.now();
        let queued = 0;
        for (const d of deliveries) {
          if (d.position <= checkpoint) continue;
          queued += insert.run(d.id, d.eventId, d.position, d.tenantId, d.type, d.body, at, at).changes;
        }
        this.db
          .prepare(
            `INSERT INTO webhook_checkpoint (id, position, updated_at) VALUES (1, ?, ?)
             ON CONFLICT(id) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
          )
          .run(position, now());
        return queued;
      })
      .immediate();
  }

  async claimDue(at: Date, limit: number, leaseMs: number): Promise<ClaimedWebhookDelivery[]> {
    const nowMs = at.getTime();
    return this.db
      .transaction(() => {
        const rows = this.db
          .prepare<[number, number], Row>(
            `SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
             ORDER BY next_attempt_at, position LIMIT ?`,
          )
          .all(nowMs, limit);
        const hold = this.db.prepare('UPDATE webhook_deliveries SET claim = ?, next_attempt_at = ? WHERE id = ?');
        return rows.map((row) => {
          const claim = randomUUID();
          hold.run(claim, nowMs + leaseMs, row.id);
          return { delivery: toDelivery({ ...row, claim, next_attempt_at: nowMs + leaseMs }), claim };
        });
      })
      .immediate();
  }

  async recordAttempt(id: string, claim: string, record: WebhookAttemptRecord): Promise<boolean> {
    const at = record.at.getTime();
    const result = this.db
      .prepare(
        `UPDATE webhook_deliveries SET status = @status, attempts = attempts + 1, claim = NULL,
           schedule_index = @scheduleIndex, next_attempt_at = @next, last_attempt_at = @at,
           last_status_code = @statusCode, last_error = @error,
           delivered_at = CASE WHEN @status = 'delivered' THEN @at ELSE delivered_at END,
           failed_at = CASE WHEN @status = 'failed' THEN @at ELSE NULL END
         WHERE id = @id AND claim = @claim`,
      )
      .run({
        id,
        claim,
        at,
        status: record.status,
        statusCode: record.statusCode,
        error: record.error,
        scheduleIndex: record.status === 'delivered' ? 0 : record.scheduleIndex,
        next: record.status === 'pending' ? record.nextAttemptAt.getTime() : null,
      });
    return result.changes === 1;
  }

  async release(id: string, claim: string, at: Date): Promise<boolean> {
    const result = this.db
      .prepare(
        `UPDATE webhook_deliveries SET claim = NULL, next_attempt_at = ?
         WHERE id = ? AND claim = ? AND status = 'pending'`,
      )
      .run(at.getTime(), id, claim);
    return result.changes === 1;
  }

  async nextDueAt(): Promise<Date | null> {
    const row = this.db
      .prepare<[], { due: number | null }>(
        "SELECT min(next_attempt_at) AS due FROM webhook_deliveries WHERE status = 'pending'",
      )
      .get();
    return date(row?.due ?? null);
  }

  async list(filter: { status?: WebhookDeliveryStatus; after?: bigint; limit: number }): Promise<WebhookDeliveryPage> {
    const rows = this.db
      .prepare<[{ status: string | null; after: bigint | null; limit: number }], Row>(
        `SELECT * FROM webhook_deliveries WHERE (@status IS NULL OR status = @status)
         AND position > coalesce(@after, -1) ORDER BY position LIMIT @limit`,
      )
      .all({ status: filter.status ?? null, after: filter.after ?? null, limit: filter.limit + 1 });
    const page = rows.slice(0, filter.limit).map(toDelivery);
    return { deliveries: page, nextAfter: rows.length > filter.limit ? page[page.length - 1].position : null };
  }

  async get(id: string): Promise<WebhookDelivery | null> {
    const row = this.db.prepare<[string], Row>('SELECT * FROM webhook_deliveries WHERE id = ?').get(id);
    return row ? toDelivery(row) : null;
  }

  async replay(id: string, at: Date, actor: string): Promise<WebhookDelivery | null> {
    this.db
      .prepare(
        `UPDATE webhook_deliveries SET status = 'pending', schedule_index = 0, next_attempt_at = ?, claim = NULL,
           failed_at = NULL, replays = replays + 1, last_replayed_by = ?
         WHERE id = ? AND status <> 'pending'`,
      )
      .run(at.getTime(), actor, id);
    return this.get(id);
  }

  async counts(): Promise<Record<WebhookDeliveryStatus, number>> {
    const counts: Record<WebhookDeliveryStatus, number> = { pending: 0, delivered: 0, failed: 0 };
    const rows = this.db
      .prepare<[], { status: WebhookDeliveryStatus; n: number }>(
        'SELECT status, count(*) AS n FROM webhook_deliveries GROUP BY status',
      )
      .all();
    for (const r of rows) counts[r.status] = r.n;
    return counts;
  }

  async purgeDelivered(before: Date): Promise<number> {
    return this.db
      .prepare("DELETE FROM webhook_deliveries WHERE status = 'delivered' AND delivered_at < ?")
      .run(before.getTime()).changes;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private readCheckpoint(): bigint | null {
    const row = this.db.prepare<[], { position: number }>('SELECT position FROM webhook_checkpoint WHERE id = 1').get();
    return row ? BigInt(row.position) : null;
  }
}

const now = () => new Date().toISOString();
