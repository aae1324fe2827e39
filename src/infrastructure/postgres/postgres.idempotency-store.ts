import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import {
  type IdempotencyClaim,
  type IdempotencyStore,
  type StoredOutcome,
} from '../../application/ports/idempotency.port';
import { hashIdempotencyKey, IDEMPOTENCY_RETENTION_MS } from '../idempotency/idempotency-key';
import { unavailableAs } from './postgres-errors';

export interface PostgresIdempotencyOptions {
  /** How long a claim stays alive without renewal; a crashed owner blocks its key this long. */
  leaseMs?: number;
  retentionMs?: number;
}

/** Long enough to ride out a slow statement or a pause, short enough that a crash blocks a key briefly. */
export const IDEMPOTENCY_LEASE_MS = 15_000;

/*
 * One statement takes a key: a new row, or an expired record taken over. The primary key orders
 * racing instances (the losers wait for the winner's insert, then see its row), so exactly one
 * claim comes back with a row. PostgreSQL's clock is the only clock.
 */
const CLAIM = `
INSERT INTO idempotency_records AS r
  (scope, key_hash, fingerprint, state, owner, outcome, created_at, lease_expires_at)
VALUES ($1, $2, $3, 'pending', $4, NULL, now(), now() + $5 * interval '1 millisecond')
ON CONFLICT (scope, key_hash) DO UPDATE SET
  fingerprint = excluded.fingerprint, state = 'pending', owner = excluded.owner, outcome = NULL,
  created_at = excluded.created_at, lease_expires_at = excluded.lease_expires_at
  WHERE r.created_at <= now() - $6 * interval '1 millisecond'
RETURNING 1`;

const READ = `
SELECT fingerprint, state, owner, outcome, lease_expires_at > now() AS alive
FROM idempotency_records
WHERE scope = $1 AND key_hash = $2 AND created_at > now() - $3 * interval '1 millisecond'`;

interface Row {
  fingerprint: string;
  state: 'pending' | 'completed';
  owner: string;
  outcome: StoredOutcome;
  alive: boolean;
}

/**
 * Idempotency records in the replicated shape's PostgreSQL, shared by every instance. Each store
 * is one owner; while it holds claims it renews their leases (every third of the lease), so a
 * duplicate at another instance is told "in progress" while the owner lives and "interrupted"
 * (the outcome cannot be known: nothing is sent again) once the owner has died. Expired records
 * are swept hourly by whichever instance gets there; a claim ignores them either way.
 */
export class PostgresIdempotencyStore implements IdempotencyStore {
  private readonly owner = randomUUID();
  private readonly leaseMs: number;
  private readonly retentionMs: number;
  private readonly held = new Set<string>();
  private renewer: NodeJS.Timeout | undefined;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly pool: Pool,
    options: PostgresIdempotencyOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? IDEMPOTENCY_LEASE_MS;
    this.retentionMs = options.retentionMs ?? IDEMPOTENCY_RETENTION_MS;
    this.sweeper = setInterval(() => void this.purgeExpired().catch(() => undefined), 60 * 60 * 1000).unref();
  }

  async claim(scope: string, key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const keyHash = hashIdempotencyKey(key);
    return unavailableAs('idempotency claim', async () => {
      // A record released or expired between the two statements: claim again.
      for (;;) {
        const taken = await this.pool.query({
          name: 'mcs_idempotency_claim',
          text: CLAIM,
          values: [scope, keyHash, fingerprint, this.owner, this.leaseMs, this.retentionMs],
        });
        if (taken.rowCount === 1) {
          this.hold(scope, keyHash);
          return { kind: 'claimed' };
        }
        const { rows } = await this.pool.query<Row>({
          name: 'mcs_idempotency_read',
          text: READ,
          values: [scope, keyHash, this.retentionMs],
        });
        const row = rows[0];
        if (!row) continue;
        if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
        if (row.state === 'completed') return { kind: 'completed', outcome: row.outcome };
        return row.alive ? { kind: 'in_progress' } : { kind: 'interrupted' };
      }
    });
  }

  async complete(scope: string, key: string, outcome: StoredOutcome): Promise<void> {
    const keyHash = hashIdempotencyKey(key);
    try {
      await unavailableAs('idempotency outcome', () =>
        // Named, as every statement on the send path: PostgreSQL then plans it once per connection.
        this.pool.query({
          name: 'mcs_idempotency_complete',
          text: `UPDATE idempotency_records SET state = 'completed', outcome = $4
           WHERE scope = $1 AND key_hash = $2 AND owner = $3 AND state = 'pending'`,
          values: [scope, keyHash, this.owner, JSON.stringify(outcome)],
        }),
      );
    } finally {
      this.held.delete(`${scope}\u0000${keyHash}`);
    }
  }

  async release(scope: string, key: string): Promise<void> {
    const keyHash = hashIdempotencyKey(key);
    try {
      await unavailableAs('idempotency release', () =>
        this.pool.query({
          name: 'mcs_idempotency_release',
          text: `DELETE FROM idempotency_records
           WHERE scope = $1 AND key_hash = $2 AND owner = $3 AND state = 'pending'`,
          values: [scope, keyHash, this.owner],
        }),
      );
    } finally {
      this.held.delete(`${scope}\u0000${keyHash}`);
    }
  }

  /** Deletes records older than the retention; returns how many. */
  async purgeExpired(): Promise<number> {
    const result = await this.pool.query(
      `DELETE FROM idempotency_records WHERE created_at <= now() - $1 * interval '1 millisecond'`,
      [this.retentionMs],
    );
    return result.rowCount ?? 0;
  }

  /** The pool belongs to the instance's PostgresDatabase, which ends it. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    clearInterval(this.renewer);
    this.renewer = undefined;
    this.held.clear();
  }

  private hold(scope: string, keyHash: string): void {
    this.held.add(`${scope}\u0000${keyHash}`);
    this.renewer ??= setInterval(() => void this.renew(), Math.max(50, Math.floor(this.leaseMs / 3))).unref();
  }

  /** One statement renews every claim this store holds; a failure is retried at the next tick. */
  private async renew(): Promise<void> {
    if (this.held.size === 0) {
      clearInterval(this.renewer);
      this.renewer = undefined;
      return;
    }
    await this.pool
      .query({
        name: 'mcs_idempotency_renew',
        text: `UPDATE idempotency_records SET lease_expires_at = now() + $2 * interval '1 millisecond'
         WHERE owner = $1 AND state = 'pending'`,
        values: [this.owner, this.leaseMs],
      })
      .catch(() => undefined);
  }
}
