import 'reflect-metadata';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { buildOpenApiDocument } from './interfaces/http/openapi/openapi-document';
import { Logger } from 'nestjs-pino';
import { chmodSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import type { DestinationStream } from 'pino';
import { type AppConfig } from './application/app-config';
import { type EventStore } from './application/ports/event-store.port';
import { AppModule } from './app.module';
import { ConfigError, parseConfig, rateLimit } from './infrastructure/config/config';
import { parseDatabaseConfig, requireReplicatedSecrets } from './infrastructure/config/database-config';
import { environmentOrFile, type LocalSecret, randomKey, randomToken } from './infrastructure/config/local-secrets';
import { requireUsableTokens } from './infrastructure/config/tokens';
import { decodeKey, keyRingFromEnv, type MasterKeyRing } from './infrastructure/crypto/key-ring';
import { EnvelopeCipher } from './infrastructure/crypto/envelope.cipher';
import { CIPHER } from './application/ports/cipher.port';
import { DATA_DIR_LAYOUT, dataDirPath } from './infrastructure/data-dir-layout';
import { drainHttpServer, shutdownTimeoutFrom } from './infrastructure/lifecycle/graceful-shutdown';
import { HTTP_METRICS, httpMetricsMiddleware } from './interfaces/http/common/http-metrics.middleware';
import { requestLogging, ROOT_LOGGER } from './infrastructure/logging/request-logger';
import { validationPipe } from './interfaces/http/common/validation';
import { logPrivateNetworks } from './infrastructure/mail/ssrf/smtp-target-guard';
import { METRICS_REGISTRY, type MetricsRegistry } from './interfaces/http/health/metrics-registry';

export interface StartOptions {
  env: Record<string, string | undefined>;
  /** Where log lines go (tests capture them); default stdout. */
  logStream?: DestinationStream;
  /** Listen on this port instead of PORT (0 = any free port). */
  port?: number;
  eventStore?: EventStore;
}

export interface RunningService {
  app: INestApplication;
  config: AppConfig;
  url: string;
  /** With METRICS_PORT: the internal listener serving /metrics (and nothing else). */
  metricsUrl?: string;
  /** Stops accepting, lets requests in flight finish (SHUTDOWN_TIMEOUT_MS at most), then closes every module. */
  close(): Promise<void>;
}

/** Builds and starts the service; everything main.ts, the tests and the benchmarks share. */
export async function startService(options: StartOptions): Promise<RunningService> {
  const config = parseConfig(options.env);
  const database = parseDatabaseConfig(options.env);
  const shutdownTimeoutMs = shutdownTimeoutFrom(options.env);
  const { apiToken, supportToken, keyRing } = database
    ? sharedSecrets(options.env, config)
    : localSecrets(options.env, config.dataDir);
  requireUsableTokens(apiToken, supportToken);
  const failedAuthLimit = rateLimit(options.env, 'THROTTLE_FAILED_AUTH', { limit: 20, windowSeconds: 60 });
  // Read models and idempotency records are still SQLite files in DATA_DIR in every shape (until
  // they move to PostgreSQL too); the replicated shape keeps no key or secret there.
  // Only the service's user may read the events, keys and records inside (others could read the files).
  if (mkdirSync(config.dataDir, { recursive: true, mode: 0o700 }) !== undefined) chmodSync(config.dataDir, 0o700);

  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register({
      config,
      tokens: { apiToken: apiToken.value, supportToken: supportToken.value },
      failedAuthLimit,
      keyRing,
      database,
      eventStore: options.eventStore,
      logStream: options.logStream,
    }),
    { bodyParser: false, bufferLogs: true },
  );
  await refuseUnopenableDataKeys(app, options.env, config.dataDir, keyRing);
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.disable('x-powered-by');
  app.useGlobalPipes(validationPipe());
  // First in the chain (Nest adds its own middleware at listen): the request id and the request's
  // log scope, then timing of every request, refused ones too.
  app.use(requestLogging(app.get(ROOT_LOGGER)));
  app.use(httpMetricsMiddleware(app.get(HTTP_METRICS)));

  SwaggerModule.setup('docs', app, buildOpenApiDocument(app, config.publicUrl), { jsonDocumentUrl: 'docs-json' });

  for (const [name, secret] of [
    ['API token', apiToken],
    ['support token', supportToken],
  ] as const) {
    if (secret.file) logger.log(`${name} ${secret.generated ? 'generated into' : 'read from'} ${secret.file}`);
    if (secret.jwtOnly) logger.log(`${name} not set: those callers sign in with JWTs only`);
  }
  logPrivateNetworks(config, logger);
  if (keyRing.activeId === 'local')
    logger.log(`master key kept in ${dataDirPath(config.dataDir, 'masterKey')} (set ENCRYPTION_KEY in production)`);
  if (config.eventStoreConnectionString && !database) {
    logger.log(
      `DATA_DIR (${config.dataDir}) holds the tenants' data keys: it must be a persistent, backed-up volume ` +
        '(without it the secrets in EventStoreDB cannot be read); set DATABASE_URL to keep them in PostgreSQL',
    );
  }

  if (!config.defaultRelayUrl) {
    // Once, at start: the send answers say `delivery: "outbox"`, and the operator should know why.
    const outbox = database ? 'rows of the outbox_messages table' : dataDirPath(config.dataDir, 'outbox');
    logger.warn(
      `DEFAULT_RELAY_URL is unset: mode-1 mail (the default support addresses) is written to the outbox ` +
        `(${outbox}) and NOT delivered; set DEFAULT_RELAY_URL to send it through the platform relay`,
    );
  }

  await app.listen(options.port ?? config.port);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const shape = database
    ? `EventStoreDB store, PostgreSQL ${database.label}`
    : config.eventStoreConnectionString
      ? 'EventStoreDB store'
      : 'embedded SQLite store';
  logger.log(`mail configuration service listening on ${url} (${shape})`);
  const metrics = config.metricsPort === null ? null : await serveMetrics(app, config.metricsPort);
  if (metrics) logger.log(`metrics served on ${metrics.url}/metrics only (METRICS_PORT)`);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await metrics?.close();
      const drain = await drainHttpServer(app.getHttpServer(), shutdownTimeoutMs);
      if (!drain.drained) {
        logger.warn(
          `requests still running after ${shutdownTimeoutMs} ms; closed ${drain.cutConnections} connection(s)`,
        );
      }
      await app.close();
    })());
  return { app, config, url, close, ...(metrics ? { metricsUrl: metrics.url } : {}) };
}

/** /metrics on an internal port of its own, so the public port (behind the proxy) does not expose them. */
async function serveMetrics(app: INestApplication, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const registry = app.get<MetricsRegistry>(METRICS_REGISTRY);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((done, fail) => server.once('error', fail).listen(port, () => done()));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

type Env = Record<string, string | undefined>;

/**
 * Data keys stored under a master key the ring does not hold, or holds with other bytes (a deleted
 * or replaced DATA_DIR/master.key, a wrong ENCRYPTION_KEY), would make every stored secret
 * unreadable and the first secret written after would be sealed under the new key: refuse to start.
 */
async function refuseUnopenableDataKeys(app: INestApplication, env: Env, dataDir: string, ring: MasterKeyRing) {
  const cipher = app.get(CIPHER);
  if (!(cipher instanceof EnvelopeCipher)) return;
  const ids = await cipher.unopenableMasterKeys();
  if (ids.length === 0) return;
  await app.close();
  const source =
    ring.activeId === 'local' && ring.ids().length === 1
      ? resolve(dataDirPath(dataDir, 'masterKey'))
      : env.ENCRYPTION_KEYS?.trim()
        ? 'ENCRYPTION_KEYS'
        : 'ENCRYPTION_KEY';
  throw new ConfigError(
    source,
    `does not open the stored data keys wrapped by master key ${ids.map((id) => `"${id}"`).join(', ')}; ` +
      'restore the master key that wrapped them',
  );
}
interface StartSecret extends LocalSecret {
  /** Not set, JWTs configured: a random value nobody knows stands in, so only JWTs sign in. */
  jwtOnly?: boolean;
}

/** Embedded and single-node shapes: secrets not given are generated once into DATA_DIR. */
function localSecrets(
  env: Env,
  dataDir: string,
): { apiToken: StartSecret; supportToken: StartSecret; keyRing: MasterKeyRing } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return {
    apiToken: environmentOrFile(env.API_TOKEN, dataDir, DATA_DIR_LAYOUT.apiToken, randomToken),
    supportToken: environmentOrFile(env.SUPPORT_TOKEN, dataDir, DATA_DIR_LAYOUT.supportToken, randomToken),
    keyRing: keyRingFromEnv(env, () => {
      const file = environmentOrFile(undefined, dataDir, DATA_DIR_LAYOUT.masterKey, randomKey);
      // Checked like ENCRYPTION_KEY: a damaged file must stop the service, not seal secrets under garbage.
      return decodeKey(file.file!, file.value);
    }),
  };
}

/** Replicated shape: every instance must hold the same secrets, so they come from the environment only. */
function sharedSecrets(
  env: Env,
  config: AppConfig,
): { apiToken: StartSecret; supportToken: StartSecret; keyRing: MasterKeyRing } {
  requireReplicatedSecrets(env, config.jwt !== null);
  const given = (value: string | undefined): StartSecret =>
    value?.trim()
      ? { value: value.trim(), file: null, generated: false }
      : { value: randomToken(), file: null, generated: false, jwtOnly: true };
  return {
    apiToken: given(env.API_TOKEN),
    supportToken: given(env.SUPPORT_TOKEN),
    keyRing: keyRingFromEnv(env, () => {
      throw new ConfigError('ENCRYPTION_KEY', 'must be set when DATABASE_URL is set');
    }),
  };
}

/**
 * SIGTERM/SIGINT (a deploy, Ctrl-C): drain and close cleanly, then exit 0. Nest's own shutdown
 * hooks are not enabled because they re-raise the signal after closing, which ends the process
 * with the signal instead of exit code 0. A second signal, or a close that hangs past the
 * timeout, ends the process at once with 1.
 */
export function exitOnSignals(running: RunningService, shutdownTimeoutMs = shutdownTimeoutFrom(process.env)): void {
  const logger = running.app.get(Logger);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    // close() stops listening before it first yields, so the line below is true when printed.
    const closing = running.close();
    logger.log(
      `${signal} received: not accepting connections; finishing requests in flight (at most ${shutdownTimeoutMs} ms)`,
    );
    setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, shutdownTimeoutMs + 5000).unref();
    closing.then(
      () => {
        logger.log('stopped cleanly');
        process.exit(0);
      },
      (error: Error) => {
        logger.error(`shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
