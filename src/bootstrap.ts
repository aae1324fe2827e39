import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { mkdirSync } from 'node:fs';
import type { DestinationStream } from 'pino';
import { AppConfig } from './application/app-config';
import { EventStore } from './application/ports/event-store.port';
import { AppModule } from './app.module';
import { parseConfig } from './infrastructure/config/config';
import { environmentOrFile, randomKey, randomToken } from './infrastructure/config/local-secrets';
import { keyRingFromEnv } from './infrastructure/crypto/key-ring';
import { validationPipe } from './interfaces/http/common/validation';

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
  close(): Promise<void>;
}

/** Builds and starts the service; everything main.ts, the tests and the benchmarks share. */
export async function startService(options: StartOptions): Promise<RunningService> {
  const config = parseConfig(options.env);
  mkdirSync(config.dataDir, { recursive: true });
  const apiToken = environmentOrFile(options.env.API_TOKEN, config.dataDir, 'api-token', randomToken);
  const supportToken = environmentOrFile(options.env.SUPPORT_TOKEN, config.dataDir, 'support-token', randomToken);
  const keyRing = keyRingFromEnv(options.env, () =>
    Buffer.from(environmentOrFile(undefined, config.dataDir, 'master.key', randomKey).value, 'base64'),
  );

  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register({
      config,
      tokens: { apiToken: apiToken.value, supportToken: supportToken.value },
      keyRing,
      eventStore: options.eventStore,
      logStream: options.logStream,
    }),
    { bodyParser: false, bufferLogs: true },
  );
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.disable('x-powered-by');
  app.useGlobalPipes(validationPipe());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Mail configuration service')
      .setDescription('Tenant mail configuration (default relay, Gmail, dedicated SMTP), sending, audit and support dashboard')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  for (const [name, secret] of [['API token', apiToken], ['support token', supportToken]] as const) {
    if (secret.file) logger.log(`${name} ${secret.generated ? 'generated into' : 'read from'} ${secret.file}`);
  }
  if (keyRing.activeId === 'local') logger.log(`master key kept in ${config.dataDir}/master.key (set ENCRYPTION_KEY in production)`);

  await app.listen(options.port ?? config.port);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  logger.log(`mail configuration service listening on ${url} (${config.eventStoreConnectionString ? 'EventStoreDB' : 'embedded SQLite'} store)`);
  return { app, config, url, close: () => app.close() };
}
