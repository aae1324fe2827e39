import {
  Inject,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../application/app-config';
import { ReadinessRegistry } from '../application/health/readiness';
import { AUDIT_INDEX } from '../application/ports/audit-index.port';
import { PROJECTION_STORE } from '../application/ports/projection-store.port';
import { TENANT_DIRECTORY } from '../application/ports/tenant-directory.port';
import { QuarantineEventHandler } from '../application/projections/commands/quarantine-event.handler';
import { EventQuarantine } from '../application/projections/event-quarantine';
import { ListQuarantinedEventsHandler } from '../application/projections/queries/list-quarantined-events.handler';
import { ProjectionRunner } from '../application/projections/projection-runner';
import { ProjectionService } from '../application/projections/projection-service';
import { GetDashboardSummaryHandler } from '../application/projections/queries/get-dashboard-summary.handler';
import { GetDashboardTenantsHandler } from '../application/projections/queries/get-dashboard-tenants.handler';
import { GetDashboardTenantHandler } from '../application/projections/queries/get-dashboard-tenant.handler';
import { GetDashboardHistoryHandler } from '../application/projections/queries/get-dashboard-history.handler';
import { IssueSettingsLinkHandler } from '../application/support/commands/issue-settings-link.handler';
import { SendTestMessageHandler } from '../application/support/commands/send-test-message.handler';
import {
  DEFAULT_PROJECTION_SETTINGS,
  PROJECTION_SETTINGS,
  ProjectionSettings,
} from '../application/projections/projection-settings';
import { Metrics } from '../infrastructure/metrics/metrics';
import { registerProjectionMetrics } from '../infrastructure/read-models/projection-metrics';
import { ReadModelAdapters } from '../infrastructure/read-models/read-model-adapters';
import { EVENT_STORE, type EventStore } from '../application/ports/event-store.port';
import { dataDirPath } from '../infrastructure/data-dir-layout';
import { SqliteEventStore } from '../infrastructure/event-store/sqlite.event-store';
import { ROOT_LOGGER } from '../infrastructure/logging/request-logger';
import { ProjectionThread } from '../infrastructure/read-models/projection-thread';
import { SqliteProjectionStore } from '../infrastructure/read-models/sqlite.projection-store';
import type { Logger } from 'pino';
import { DashboardApiController } from '../interfaces/http/dashboard/dashboard-api.controller';
import { DashboardPageController } from '../interfaces/http/dashboard/dashboard-page.controller';
import { MailConfigModule } from './mail-config.module';
import { READ_MODEL_PROVIDERS, READ_MODELS } from './read-model.providers';

/** PROJECTIONS_MAX_LAG_MS, once the configuration carries it; the default until then. */
function settingsFrom(config: AppConfig): ProjectionSettings {
  return { ...DEFAULT_PROJECTION_SETTINGS, maxLagMs: config.projectionMaxLagMs };
}

/**
 * Where the projection runs: in a worker thread on the embedded SQLite shape unless
 * PROJECTION_THREAD=main (see ProjectionThread for why), else in this event loop.
 */
function projectionService(
  config: AppConfig,
  runner: ProjectionRunner,
  events: EventStore,
  readModels: ReadModelAdapters,
  settings: ProjectionSettings,
  root: Logger,
): ProjectionService {
  const embedded = events instanceof SqliteEventStore && readModels.projections instanceof SqliteProjectionStore;
  if (config.projectionThread !== 'worker' || !embedded) return runner;
  return new ProjectionThread({
    data: {
      eventsFile: dataDirPath(config.dataDir, 'events'),
      readModelsFile: dataDirPath(config.dataDir, 'readModels'),
      settings,
      logLevel: root.level,
      pollMs: 250,
    },
    store: events,
    local: runner,
    root,
    retryMs: settings.retryMs,
  });
}

/**
 * Projections (support dashboard rows, cross-tenant audit index) with their HTTP API and page.
 * The runner starts once the application has bootstrapped and stops before the event store
 * closes (module destroy runs before any application-shutdown hook). In the replicated shape it
 * projects only while this instance holds the projection lock, and stands by otherwise.
 */
@Module({
  // The dashboard's support actions record their outcome on the tenant's stream.
  imports: [MailConfigModule],
  controllers: [DashboardApiController, DashboardPageController],
  providers: [
    ...READ_MODEL_PROVIDERS,
    { provide: PROJECTION_SETTINGS, useFactory: settingsFrom, inject: [APP_CONFIG] },
    EventQuarantine,
    // Dispatched by the operator CLI (events quarantine / quarantined); no HTTP route.
    QuarantineEventHandler,
    ListQuarantinedEventsHandler,
    ProjectionRunner,
    {
      provide: ProjectionService,
      useFactory: projectionService,
      inject: [APP_CONFIG, ProjectionRunner, EVENT_STORE, READ_MODELS, PROJECTION_SETTINGS, ROOT_LOGGER],
    },
    GetDashboardSummaryHandler,
    GetDashboardTenantsHandler,
    GetDashboardTenantHandler,
    GetDashboardHistoryHandler,
    SendTestMessageHandler,
    IssueSettingsLinkHandler,
  ],
  exports: [ProjectionService, PROJECTION_STORE, TENANT_DIRECTORY, AUDIT_INDEX],
})
export class ProjectionsModule implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  constructor(
    private readonly runner: ProjectionService,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: Metrics,
    @Inject(READ_MODELS) private readonly readModels: ReadModelAdapters,
  ) {}

  onModuleInit(): void {
    this.readiness.register('projections', () => this.runner.readiness());
    registerProjectionMetrics(this.metrics.registry, () => this.runner.status());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.readModels.close();
  }
}
