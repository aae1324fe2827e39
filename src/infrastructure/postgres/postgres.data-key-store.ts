import { type Pool, type PoolClient } from 'pg';
import {
  type DataKeyPage,
  type DataKeyRecord,
  type DataKeyStore,
  type WrappedDataKey,
} from '../../application/ports/data-key-store.port';
import { unavailableAs } from './postgres-errors';

interface Row {
  tenant_id: string;
  data_key_id: string;
  master_key_id: string;
  wrapped: Buffer;
}

const toKey = (r: Row): WrappedDataKey => ({
  tenantId: r.tenant_id,
  dataKeyId: r.data_key_id,
  masterKeyId: r.master_key_id,
  wrapped: r.wrapped,
});

// A shredding wins over a key in one answer, whatever happened between two instances.
const GET = `SELECT 'shredded' AS state, tenant_id, NULL AS data_key_id, NULL AS master_key_id, NULL::bytea AS wrapped,
                    shredded_at
             FROM shredded_data_keys WHERE tenant_id = $1
             UNION ALL
             SELECT 'active', tenant_id, data_key_id, master_key_id, wrapped, NULL
             FROM data_keys WHERE tenant_id = $1
             ORDER BY state DESC LIMIT 1`;
// Storing a key and shredding one take this per-tenant lock, so a key stored while the tenant is
// being erased cannot outlive the erasure.
const LOCK_TENANT = `SELECT pg_advisory_xact_lock(hashtextextended('mcs.data_keys:' || $1, 0))`;

/**
 * Data keys in the replicated shape's PostgreSQL. Erasure deletes the key's row; the tenant's
 * id and the time go to shredded_data_keys. Like every deleted row, the old row's bytes stay in
 * the table's pages until VACUUM reclaims them (and in WAL and backups until those expire);
 * `VACUUM (FULL) data_keys` rewrites the table without them.
 */
export class PostgresDataKeyStore implements DataKeyStore {
  constructor(private readonly pool: Pool) {}

  async get(tenantId: string): Promise<DataKeyRecord | undefined> {
    return unavailableAs('data key lookup', async () => {
      const { rows } = await this.pool.query<Row & { state: string; shredded_at: Date | null }>({
        name: 'mcs_data_key_get',
        text: GET,
        values: [tenantId],
      });
      const row = rows[0];
      if (!row) return undefined;
      return row.state === 'shredded'
        ? { state: 'shredded', tenantId, shreddedAt: row.shredded_at!.toISOString() }
        : { state: 'active', key: toKey(row) };
    });
  }

  async insertIfAbsent(key: WrappedDataKey): Promise<DataKeyRecord> {
    return unavailableAs('data key creation', async () => {
      await this.transaction(async (client) => {
        await client.query(LOCK_TENANT, [key.tenantId]);
        await client.query(
          `INSERT INTO data_keys (tenant_id, data_key_id, master_key_id, wrapped)
           SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM shredded_data_keys WHERE tenant_id = $1)
           ON CONFLICT (tenant_id) DO NOTHING`,
          [key.tenantId, key.dataKeyId, key.masterKeyId, key.wrapped],
        );
      });
      return (await this.get(key.tenantId))!;
    });
  }

  async rewrap(key: WrappedDataKey, fromMasterKeyId: string): Promise<boolean> {
    return unavailableAs('data key re-wrap', async () => {
      const result = await this.pool.query(
        `UPDATE data_keys SET master_key_id = $1, wrapped = $2
         WHERE tenant_id = $3 AND data_key_id = $4 AND master_key_id = $5`,
        [key.masterKeyId, key.wrapped, key.tenantId, key.dataKeyId, fromMasterKeyId],
      );
      return result.rowCount === 1;
    });
  }

  async shred(tenantId: string, at: string): Promise<void> {
    return unavailableAs('data key shredding', async () => {
      await this.transaction(async (client) => {
        await client.query(LOCK_TENANT, [tenantId]);
        await client.query(
          'INSERT INTO shredded_data_keys (tenant_id, shredded_at) VALUES ($1, $2) ON CONFLICT (tenant_id) DO NOTHING',
          [tenantId, at],
        );
        await client.query('DELETE FROM data_keys WHERE tenant_id = $1', [tenantId]);
      });
    });
  }

  async wrappedByOtherThan(masterKeyId: string, page: DataKeyPage): Promise<WrappedDataKey[]> {
    return unavailableAs('data key listing', async () => {
      const { rows } = await this.pool.query<Row>(
        `SELECT tenant_id, data_key_id, master_key_id, wrapped FROM data_keys
         WHERE master_key_id <> $1 AND ($2::text IS NULL OR tenant_id > $2)
         ORDER BY tenant_id LIMIT $3`,
        [masterKeyId, page.afterTenantId ?? null, page.limit],
      );
      return rows.map(toKey);
    });
  }

  async countWrappedByOtherThan(masterKeyId: string): Promise<number> {
    return unavailableAs('data key count', async () => {
      const { rows } = await this.pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM data_keys WHERE master_key_id <> $1',
        [masterKeyId],
      );
      return Number(rows[0].n);
    });
  }

  /** The pool belongs to the instance's PostgresDatabase, which ends it. */
  async close(): Promise<void> {}

  private async transaction(work: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    // A connection that cannot even roll back is broken: the pool must not hand it out again.
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
