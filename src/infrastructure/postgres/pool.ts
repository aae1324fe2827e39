import { Pool, type PoolConfig } from 'pg';
import { type DatabaseConfig } from '../config/database-config';

/** How long one connection attempt may take before the caller gets an error instead of a hang. */
export const CONNECT_TIMEOUT_MS = 3000;
/** Server-side limit of one statement; the hot paths take milliseconds, anything longer is stuck. */
export const STATEMENT_TIMEOUT_MS = 10_000;

/**
 * node-postgres reads `sslmode=require` as verify-full unless asked for libpq's meaning, which
 * is what DATABASE_URL promises (require: encrypted, not verified; verify-ca: chain, not name).
 */
export function connectionString(config: DatabaseConfig): string {
  const url = new URL(config.url);
  if (url.searchParams.has('sslmode') && !url.searchParams.has('uselibpqcompat'))
    url.searchParams.set('uselibpqcompat', 'true');
  return url.toString();
}

export function poolSettings(config: DatabaseConfig, overrides: Partial<PoolConfig> = {}): PoolConfig {
  return {
    connectionString: connectionString(config),
    max: config.poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    // A dead peer (no RST) is noticed by the client too, not only by the server's statement timeout.
    query_timeout: STATEMENT_TIMEOUT_MS + 2000,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    lock_timeout: 5000,
    idle_in_transaction_session_timeout: 30_000,
    keepAlive: true,
    application_name: 'mail-config-service',
    ...overrides,
  };
}

/**
 * The instance's pool. An idle connection that breaks (PostgreSQL restarted, failover) must not
 * end the process: the pool drops it and the next query opens a new one.
 */
export function createPool(config: DatabaseConfig, overrides: Partial<PoolConfig> = {}): Pool {
  const pool = new Pool(poolSettings(config, overrides));
  pool.on('error', () => undefined);
  return pool;
}
