import { ConsoleLogger, type INestApplicationContext, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, parseConfig } from '../infrastructure/config/config';
import { parseDatabaseConfig } from '../infrastructure/config/database-config';
import { keyRingFromEnv } from '../infrastructure/crypto/key-ring';
import { dataDirPath } from '../infrastructure/data-dir-layout';
import { CliModule } from '../modules/cli.module';
import { type ServiceOptions } from '../modules/core.module';

/** Exit codes, documented in `--help` and docs/operations.md. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  notFound: 3,
  checkFailed: 4,
  config: 5,
} as const;

/** An expected way for a command to end: a message for the operator and an exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * The service's configuration, read from the same environment, but stricter: the CLI never
 * generates a master key or a token file. A missing key means DATA_DIR does not point at the
 * service's data, and inventing one would make every stored secret unreadable.
 */
export function cliServiceOptions(env: Record<string, string | undefined>): ServiceOptions {
  const config = parseConfig(env);
  const database = parseDatabaseConfig(env);
  if (!database && !config.eventStoreConnectionString && !existsSync(config.dataDir)) {
    throw new ConfigError('DATA_DIR', `"${config.dataDir}" does not exist; point it at the service's data directory`);
  }
  const keyRing = keyRingFromEnv(env, () => {
    // Replicated shape: the data keys are in PostgreSQL and no master key is ever kept in DATA_DIR.
    if (database)
      throw new ConfigError('ENCRYPTION_KEY', 'must be set when DATABASE_URL is set (replicated deployment)');
    const file = dataDirPath(config.dataDir, 'masterKey');
    if (!existsSync(file)) throw new ConfigError('ENCRYPTION_KEY', `not set, and no generated key in ${file}`);
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  });
  return { config, keyRing, database };
}

/** Nest's own lines while the modules start (before the redacting pino logger takes over): stderr only. */
class StderrLogger extends ConsoleLogger {
  protected printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _stream?: 'stdout' | 'stderr',
    stack?: unknown,
  ): void {
    super.printMessages(messages, context, logLevel, 'stderr', stack);
  }
}

/** Runs `work` inside the application's modules and always closes them (stores, files) afterwards. */
export async function withApplication<T>(
  env: Record<string, string | undefined>,
  verbose: boolean,
  work: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  const options = cliServiceOptions(env);
  const app = await NestFactory.createApplicationContext(
    CliModule.register({ ...options, logLevel: verbose ? 'info' : 'warn' }),
    {
      logger: new StderrLogger({ logLevels: verbose ? ['fatal', 'error', 'warn', 'log'] : ['fatal', 'error', 'warn'] }),
      bufferLogs: true,
      abortOnError: false,
    },
  );
  app.useLogger(app.get(Logger));
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}
