import { type Pool, type PoolClient } from 'pg';
import {
  type ProjectionPlan,
  type ProjectionStore,
  type ProjectionView,
  type ReadModelChanges,
} from '../../application/ports/projection-store.port';
import {
  type ProjectionCheckpoint,
  type SkippedEventType,
  type TenantRecord,
} from '../../application/ports/read-model.port';
import { searchTextOf } from '../read-models/read-model-rows';
import { unavailableAs } from './postgres-errors';
import { inTransaction } from './transaction';

/** The one projection today; the checkpoint table is keyed by name so another can join it. */
const PROJECTION = 'mail-config';

const CHECKPOINT = 'SELECT position::text, generation FROM projection_checkpoints WHERE projection = $1';
const toCheckpoint = (r: { position: string; generation: number }): ProjectionCheckpoint => ({
  position: BigInt(r.position),
  generation: r.generation,
});

// Every change of a batch is one statement per table, whatever the batch's size: arrays unnested.
const INSERT_AUDIT = `INSERT INTO read_model_audit_events (position, tenant_id, type, at_ms, event)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::json[])
  ON CONFLICT (position) DO NOTHING`;
const UPSERT_TENANTS = `INSERT INTO read_model_tenants
    (tenant_id, mode, status, gmail_revoked, smtp_failing, search, record)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::boolean[], $6::text[], $7::json[])
  ON CONFLICT (tenant_id) DO UPDATE SET mode = excluded.mode, status = excluded.status,
    gmail_revoked = excluded.gmail_revoked, smtp_failing = excluded.smtp_failing,
    search = excluded.search, record = excluded.record`;
const UPSERT_SKIPPED = `INSERT INTO read_model_skipped_events (type, count, last_position)
  SELECT * FROM unnest($1::text[], $2::integer[], $3::bigint[])
  ON CONFLICT (type) DO UPDATE SET count = read_model_skipped_events.count + excluded.count,
    last_position = excluded.last_position`;

/**
 * The projection's writes in the replicated shape's PostgreSQL. Each batch locks the checkpoint
 * row first (SELECT … FOR UPDATE): writers — the lock holder, a former holder still finishing a
 * batch, a `projections rebuild` — take turns, and each sees the checkpoint the previous one
 * committed, so an event is written once whoever delivers it.
 */
export class PostgresProjectionStore implements ProjectionStore {
  constructor(private readonly pool: Pool) {}

  async checkpoint(): Promise<ProjectionCheckpoint> {
    return unavailableAs('projection checkpoint', async () => {
      const { rows } = await this.pool.query({ name: 'mcs_checkpoint', text: CHECKPOINT, values: [PROJECTION] });
      return toCheckpoint(rows[0]);
    });
  }

  async apply<T>(tenantIds: readonly string[], plan: (view: ProjectionView) => ProjectionPlan<T>): Promise<T> {
    return unavailableAs('projection batch', () =>
      inTransaction(this.pool, async (client) => {
        const checkpoint = await client.query({
          name: 'mcs_checkpoint_for_update',
          text: `${CHECKPOINT} FOR UPDATE`,
          values: [PROJECTION],
        });
        const tenants = new Map<string, TenantRecord>();
        if (tenantIds.length > 0) {
          const { rows } = await client.query<{ record: TenantRecord }>({
            name: 'mcs_read_model_tenants',
            text: 'SELECT record FROM read_model_tenants WHERE tenant_id = ANY($1::text[])',
            values: [tenantIds],
          });
          for (const { record } of rows) tenants.set(record.tenantId, record);
        }
        const { changes, result } = plan({ checkpoint: toCheckpoint(checkpoint.rows[0]), tenants });
        if (changes) await this.write(client, changes);
        return result;
      }),
    );
  }

  async reset(): Promise<ProjectionCheckpoint> {
    return unavailableAs('projection reset', () =>
      inTransaction(this.pool, async (client) => {
        await client.query(`${CHECKPOINT} FOR UPDATE`, [PROJECTION]);
        await client.query('TRUNCATE read_model_tenants, read_model_audit_events, read_model_skipped_events');
        const { rows } = await client.query(
          `UPDATE projection_checkpoints SET position = 0, generation = generation + 1, updated_at = NULL
           WHERE projection = $1 RETURNING position::text, generation`,
          [PROJECTION],
        );
        return toCheckpoint(rows[0]);
      }),
    );
  }

  async skipped(): Promise<SkippedEventType[]> {
    return unavailableAs('skipped event types', async () => {
      const { rows } = await this.pool.query<{ type: string; count: number; last_position: string }>(
        'SELECT type, count, last_position::text FROM read_model_skipped_events ORDER BY type',
      );
      return rows.map((r) => ({ type: r.type, count: r.count, lastPosition: BigInt(r.last_position) }));
    });
  }

  /** The pool belongs to the instance's PostgresDatabase, which ends it. */
  async close(): Promise<void> {}

  private async write(client: PoolClient, changes: ReadModelChanges): Promise<void> {
    if (changes.audit.length > 0) {
      const at = changes.audit.map(({ event }) => Date.parse(event.metadata.at));
      await client.query({
        name: 'mcs_read_model_audit',
        text: INSERT_AUDIT,
        values: [
          changes.audit.map(({ event }) => event.position.toString()),
          changes.audit.map(({ tenantId }) => tenantId),
          changes.audit.map(({ event }) => event.type),
          at.map((ms) => (Number.isNaN(ms) ? null : String(ms))),
          changes.audit.map(({ event: { position: _position, ...rest } }) => JSON.stringify(rest)),
        ],
      });
    }
    if (changes.tenants.length > 0) {
      const t = changes.tenants;
      await client.query({
        name: 'mcs_read_model_tenants_upsert',
        text: UPSERT_TENANTS,
        values: [
          t.map((r) => r.tenantId),
          t.map((r) => r.mode),
          t.map((r) => r.status),
          t.map((r) => r.gmailRevokedAtGoogle),
          t.map((r) => r.smtpFailing),
          t.map(searchTextOf),
          t.map((r) => JSON.stringify(r)),
        ],
      });
    }
    if (changes.skipped.length > 0) {
      const s = changes.skipped;
      await client.query({
        name: 'mcs_read_model_skipped',
        text: UPSERT_SKIPPED,
        values: [s.map((x) => x.type), s.map((x) => x.count), s.map((x) => x.lastPosition.toString())],
      });
    }
    await client.query({
      name: 'mcs_checkpoint_advance',
      text: 'UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE projection = $1',
      values: [PROJECTION, changes.position.toString()],
    });
  }
}
