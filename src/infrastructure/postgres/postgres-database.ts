import { type Pool } from 'pg';
import { type DatabaseConfig } from '../config/database-config';
import { migrateToLatest } from './migrate';
import { createPool } from './pool';

/**
 * The replicated shape's shared database: the schema brought up to date at start (before
 * anything uses it), then one pool for every PostgreSQL adapter of this instance.
 */
export class PostgresDatabase {
  private constructor(
    readonly config: DatabaseConfig,
    readonly pool: Pool,
  ) {}

  static async open(config: DatabaseConfig): Promise<PostgresDatabase> {
    await migrateToLatest(config);
    return new PostgresDatabase(config, createPool(config));
  }

  /** For /health/ready: one round trip through the pool. Throws when PostgreSQL does not answer. */
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
