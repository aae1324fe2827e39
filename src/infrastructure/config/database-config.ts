import { existsSync } from 'node:fs';
import { ConfigError } from './config';

type Env = Record<string, string | undefined>;

/** The shared PostgreSQL database of the replicated deployment (DATABASE_URL). */
export interface DatabaseConfig {
  /** The libpq URL as given; never logged (it may hold a password). */
  url: string;
  /** Host, port and database name: what logs and problems may name. */
  label: string;
  /** libpq sslmode; `disable` when the URL names none. */
  sslMode: 'disable' | 'require' | 'verify-ca' | 'verify-full';
  /** Connections each instance keeps at most (DATABASE_POOL_SIZE). */
  poolSize: number;
}

const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;

const present = (env: Env, name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);

/**
 * DATABASE_URL, checked the way libpq reads it. Problems name the variable and never repeat the
 * URL, which may carry a password. `prefer` and `allow` are refused rather than quietly read as
 * "no TLS": node-postgres cannot fall back from TLS the way libpq does.
 */
export function parseDatabaseConfig(env: Env): DatabaseConfig | null {
  const raw = present(env, 'DATABASE_URL');
  if (raw === undefined) return null;
  if (!present(env, 'EVENTSTORE_CONNECTION_STRING')) {
    throw new ConfigError(
      'DATABASE_URL',
      'is set but EVENTSTORE_CONNECTION_STRING is not: the replicated deployment keeps its events in EventStoreDB',
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
  if (!url.hostname) throw new ConfigError('DATABASE_URL', 'must name a host');
  const sslMode = url.searchParams.get('sslmode') ?? 'disable';
  if (!(SSL_MODES as readonly string[]).includes(sslMode)) {
    throw new ConfigError('DATABASE_URL', `sslmode must be one of ${SSL_MODES.join(', ')}, got "${sslMode}"`);
  }
  for (const file of ['sslrootcert', 'sslcert', 'sslkey']) {
    const path = url.searchParams.get(file);
    if (path !== null && !existsSync(path))
      throw new ConfigError('DATABASE_URL', `${file} file "${path}" does not exist`);
  }
  if (sslMode === 'verify-ca' && !url.searchParams.get('sslrootcert'))
    throw new ConfigError('DATABASE_URL', 'sslmode=verify-ca needs sslrootcert (the CA to verify against)');
  const poolRaw = present(env, 'DATABASE_POOL_SIZE');
  if (poolRaw !== undefined && (!/^\d{1,4}$/.test(poolRaw) || Number(poolRaw) < 1 || Number(poolRaw) > 1000))
    throw new ConfigError('DATABASE_POOL_SIZE', `must be a whole number 1-1000, got "${poolRaw}"`);
  return {
    url: raw,
    label: `${url.hostname}:${url.port || 5432}${url.pathname || '/'}`,
    sslMode: sslMode as DatabaseConfig['sslMode'],
    poolSize: poolRaw === undefined ? 10 : Number(poolRaw),
  };
}

/**
 * The replicated shape keeps nothing in DATA_DIR, so the secrets the other shapes generate there
 * must be given; a generated one would differ on every instance. The tokens may be left out when
 * JWTs are configured (the main application and support staff can then sign in with those).
 */
export function requireReplicatedSecrets(env: Env, jwtConfigured: boolean): void {
  const why = 'must be set when DATABASE_URL is set (replicated deployment): it is never generated into DATA_DIR';
  if (!present(env, 'ENCRYPTION_KEY') && !present(env, 'ENCRYPTION_KEYS'))
    throw new ConfigError('ENCRYPTION_KEY', `(or ENCRYPTION_KEYS) ${why}`);
  for (const name of ['API_TOKEN', 'SUPPORT_TOKEN']) {
    if (!present(env, name) && !jwtConfigured)
      throw new ConfigError(name, `${why}, unless JWT_SECRET or JWT_PUBLIC_KEY is set`);
  }
}
