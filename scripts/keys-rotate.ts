/**
 * npm run keys:rotate [-- --stop-after <n>]
 *
 * Re-wraps every tenant's data key under the active master key (ENCRYPTION_ACTIVE_KEY_ID, or the
 * last of ENCRYPTION_KEYS). Events are not touched: they hold secrets sealed by the data keys,
 * which stay the same; only the wrapping changes. Each data key is re-wrapped in its own
 * statement (SQLite in DATA_DIR, or PostgreSQL when DATABASE_URL is set), so an interrupted run
 * (Ctrl-C, kill -9, --stop-after) leaves every key wrapped by either the old or the new master
 * key, and running it again finishes the rest.
 */
import { Command, InvalidArgumentError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CredentialUnavailableError } from '../src/application/ports/cipher.port';
import { ConfigError, parseConfig } from '../src/infrastructure/config/config';
import { type DataKeyStore } from '../src/application/ports/data-key-store.port';
import { parseDatabaseConfig } from '../src/infrastructure/config/database-config';
import { KEYS_FILE, SqliteDataKeyStore } from '../src/infrastructure/crypto/data-key-store';
import { EnvelopeCipher } from '../src/infrastructure/crypto/envelope.cipher';
import { keyRingFromEnv } from '../src/infrastructure/crypto/key-ring';
import { PostgresDatabase } from '../src/infrastructure/postgres/postgres-database';
import { PostgresDataKeyStore } from '../src/infrastructure/postgres/postgres.data-key-store';

/** Thrown from the progress callback to end a run early; what was re-wrapped stays re-wrapped. */
class StopRequested extends Error {}

function positive(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return Number(raw);
}

async function run(env: NodeJS.ProcessEnv, stopAfter: number | undefined): Promise<number> {
  const config = parseConfig(env);
  const database = parseDatabaseConfig(env);
  const ring = keyRingFromEnv(env, () => {
    if (database) throw new ConfigError('ENCRYPTION_KEYS', 'must be set when DATABASE_URL is set');
    // The generated key the service uses when no key is configured; never invent one here.
    const file = join(config.dataDir, 'master.key');
    if (!existsSync(file)) throw new ConfigError('ENCRYPTION_KEYS', `no master key configured and none in ${file}`);
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  });
  let store: DataKeyStore;
  let db: PostgresDatabase | undefined;
  if (database) {
    db = await PostgresDatabase.open(database);
    store = new PostgresDataKeyStore(db.pool);
  } else {
    const keysFile = join(config.dataDir, KEYS_FILE);
    if (!existsSync(keysFile)) {
      console.log(`keys:rotate: no data keys in ${keysFile}; nothing to do`);
      return 0;
    }
    store = new SqliteDataKeyStore(keysFile);
  }
  try {
    const cipher = new EnvelopeCipher(ring, store);
    const pending = await store.countWrappedByOtherThan(ring.activeId);
    console.log(`keys:rotate: ${pending} data key(s) to re-wrap under master key "${ring.activeId}"`);
    const step = Math.max(1, Math.floor(pending / 100));
    let done = 0;
    try {
      await cipher.rotate((n, total) => {
        done = n;
        if (n % step === 0 || n === total) console.log(`keys:rotate: re-wrapped ${n}/${total}`);
        if (stopAfter !== undefined && n >= stopAfter && n < total) throw new StopRequested();
      });
    } catch (error) {
      if (!(error instanceof StopRequested)) throw error;
      console.log(`keys:rotate: stopped after ${done} of ${pending} as asked; run again to re-wrap the rest`);
      return 0;
    }
    const left = await store.countWrappedByOtherThan(ring.activeId);
    if (left > 0) throw new Error(`${left} data key(s) are still wrapped by another master key`);
    const retired = ring.ids().filter((id) => id !== ring.activeId);
    console.log(
      `keys:rotate: done; every data key is wrapped by "${ring.activeId}"` +
        (retired.length ? `; ${retired.map((id) => `"${id}"`).join(', ')} may now be removed from the key ring` : ''),
    );
    return 0;
  } finally {
    await store.close();
    await db?.close();
  }
}

const program = new Command('keys:rotate')
  .description('Re-wrap every tenant data key under the active master key')
  .option('--stop-after <n>', 're-wrap at most n data keys in this run (to spread the work)', positive)
  .parse();

run(process.env, program.opts<{ stopAfter?: number }>().stopAfter).then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    // One line, naming the variable or the key that is missing; never key material.
    if (error instanceof ConfigError) console.error(`keys:rotate: configuration error: ${error.message}`);
    else if (error instanceof CredentialUnavailableError)
      console.error(`keys:rotate: ${error.message}; add it to ENCRYPTION_KEYS and run again`);
    else console.error(`keys:rotate: failed: ${error.message}`);
    process.exitCode = 1;
  },
);
