import { JOB_LOCK, type JobLock } from '../application/ports/job-lock.port';
import { InProcessJobLock } from '../infrastructure/jobs/in-process.job-lock';
import { PostgresJobLock } from '../infrastructure/postgres/postgres.job-lock';
import { DynamicModule, Global, Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../application/app-config';
import { ReadinessRegistry } from '../application/health/readiness';
import { COMMAND_METRICS } from '../application/mail-config/command-metrics';
import { GMAIL_METRICS } from '../application/metrics/gmail-metrics';
import { SEND_METRICS } from '../application/metrics/send-metrics';
import { SMTP_TEST_METRICS } from '../application/metrics/smtp-test-metrics';
import { CIPHER } from '../application/ports/cipher.port';
import { CLOCK } from '../application/ports/clock.port';
import { DATA_KEY_STORE, type DataKeyStore } from '../application/ports/data-key-store.port';
import { EVENT_STORE, EventStore } from '../application/ports/event-store.port';
import { ID_GENERATOR } from '../application/ports/id.port';
import { type DatabaseConfig } from '../infrastructure/config/database-config';
import { SqliteDataKeyStore } from '../infrastructure/crypto/data-key-store';
import { EnvelopeCipher } from '../infrastructure/crypto/envelope.cipher';
import { MasterKeyRing } from '../infrastructure/crypto/key-ring';
import { dataDirPath } from '../infrastructure/data-dir-layout';
import { createEventStore } from '../infrastructure/event-store/create-event-store';
import { PostgresDatabase } from '../infrastructure/postgres/postgres-database';
import { PostgresDataKeyStore } from '../infrastructure/postgres/postgres.data-key-store';
import { Metrics } from '../infrastructure/metrics/metrics';
import { RandomIds, SystemClock } from '../infrastructure/system/system-clock';

/** What the composition root is given at start: parsed configuration and the master keys. */
export interface ServiceOptions {
  config: AppConfig;
  keyRing: MasterKeyRing;
  /** The shared PostgreSQL database (replicated shape); null or absent keeps state in DATA_DIR. */
  database?: DatabaseConfig | null;
  /** Replaces the event store (tests, benchmarks); the service then does not close it. */
  eventStore?: EventStore;
}

export { DATA_KEY_STORE };
/** The replicated shape's PostgresDatabase (schema migrated, pool open), or null in the other shapes. */
export const POSTGRES_DATABASE = Symbol('POSTGRES_DATABASE');
export const OWNS_EVENT_STORE = Symbol('OWNS_EVENT_STORE');

/**
 * The adapters every feature shares, HTTP or CLI: event store, cipher, clock, ids, metrics,
 * readiness. Nothing here knows HTTP (see HttpModule).
 */
@Global()
@Module({})
export class CoreModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATA_KEY_STORE) private readonly keys: DataKeyStore,
    @Inject(POSTGRES_DATABASE) private readonly database: PostgresDatabase | null,
    @Inject(OWNS_EVENT_STORE) private readonly ownsStore: boolean,
    private readonly readiness: ReadinessRegistry,
  ) {}

  static register(options: ServiceOptions): DynamicModule {
    const metrics = new Metrics();
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: options.config },
        { provide: OWNS_EVENT_STORE, useValue: !options.eventStore },
        { provide: EVENT_STORE, useFactory: () => options.eventStore ?? createEventStore(options.config) },
        {
          // Migrated before anything else starts: a schema older than the code is never used.
          provide: POSTGRES_DATABASE,
          useFactory: async () => (options.database ? await PostgresDatabase.open(options.database) : null),
        },
        {
          provide: DATA_KEY_STORE,
          useFactory: (database: PostgresDatabase | null): DataKeyStore =>
            database
              ? new PostgresDataKeyStore(database.pool)
              : new SqliteDataKeyStore(dataDirPath(options.config.dataDir, 'dataKeys')),
          inject: [POSTGRES_DATABASE],
        },
        { provide: MasterKeyRing, useValue: options.keyRing },
        {
          provide: CIPHER,
          useFactory: (keys: DataKeyStore) =>
            new EnvelopeCipher(options.keyRing, keys, { cacheDataKeys: !options.database }),
          inject: [DATA_KEY_STORE],
        },
        { provide: CLOCK, useValue: new SystemClock() },
        { provide: ID_GENERATOR, useValue: new RandomIds() },
        { provide: Metrics, useValue: metrics },
        { provide: COMMAND_METRICS, useValue: metrics },
        { provide: SEND_METRICS, useValue: metrics },
        { provide: SMTP_TEST_METRICS, useValue: metrics },
        { provide: GMAIL_METRICS, useValue: metrics },
        {
          // Scheduled jobs of every feature (consent checks, revocation retries, log retention).
          provide: JOB_LOCK,
          inject: [POSTGRES_DATABASE],
          useFactory: (database: PostgresDatabase | null): JobLock =>
            database ? new PostgresJobLock(database.pool) : new InProcessJobLock(),
        },
        ReadinessRegistry,
      ],
      exports: [
        APP_CONFIG,
        EVENT_STORE,
        DATA_KEY_STORE,
        POSTGRES_DATABASE,
        MasterKeyRing,
        CIPHER,
        CLOCK,
        ID_GENERATOR,
        Metrics,
        COMMAND_METRICS,
        SEND_METRICS,
        SMTP_TEST_METRICS,
        GMAIL_METRICS,
        JOB_LOCK,
        ReadinessRegistry,
      ],
    };
  }

  onModuleInit(): void {
    this.readiness.register('eventStore', async () => {
      // Page-level corruption found at start: not ready, naming the file, rather than failing reads later.
      const problem = this.store.integrityProblem?.() ?? null;
      if (problem) return { ok: false, detail: { error: problem } };
      const head = await this.store.headPosition();
      return { ok: true, detail: { position: head.toString() } };
    });
    const database = this.database;
    if (database) {
      this.readiness.register('database', async () => {
        await database.ping();
        return { ok: true };
      });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ownsStore) await this.store.close();
    await this.keys.close();
    await this.database?.close();
  }
}
