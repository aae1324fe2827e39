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
import { READ_MODEL_STORE, ReadModelStore } from '../application/ports/read-model.port';
import { ProjectionRunner } from '../application/projections/projection-runner';
import { GetDashboardSummaryHandler } from '../application/projections/queries/get-dashboard-summary.handler';
import { GetDashboardTenantsHandler } from '../application/projections/queries/get-dashboard-tenants.handler';
import {
  DEFAULT_PROJECTION_SETTINGS,
  PROJECTION_SETTINGS,
  ProjectionSettings,
} from '../application/projections/projection-settings';
import { Metrics } from '../infrastructure/metrics/metrics';
import { registerProjectionMetrics } from '../infrastructure/read-models/projection-metrics';
import { dataDirPath } from '../infrastructure/data-dir-layout';
import { SqliteReadModelStore } from '../infrastructure/read-models/sqlite.read-model-store';
import { DashboardApiController } from '../interfaces/http/dashboard/dashboard-api.controller';
import { DashboardPageController } from '../interfaces/http/dashboard/dashboard-page.controller';

/** PROJECTIONS_MAX_LAG_MS, once the configuration carries it; the default until then. */
function settingsFrom(config: AppConfig): ProjectionSettings {
  return { ...DEFAULT_PROJECTION_SETTINGS, maxLagMs: config.projectionMaxLagMs };
}

/**
 * Projections (support dashboard rows, cross-tenant audit index) with their HTTP API and page.
 * The runner starts once the application has bootstrapped and stops before the event store
 * closes (module destroy runs before any application-shutdown hook).
 */
@Module({
  controllers: [DashboardApiController, DashboardPageController],
  providers: [
    {
      provide: READ_MODEL_STORE,
      useFactory: (config: AppConfig) => new SqliteReadModelStore(dataDirPath(config.dataDir, 'readModels')),
      inject: [APP_CONFIG],
    },
    { provide: PROJECTION_SETTINGS, useFactory: settingsFrom, inject: [APP_CONFIG] },
    ProjectionRunner,
    GetDashboardSummaryHandler,
    GetDashboardTenantsHandler,
  ],
  exports: [ProjectionRunner, READ_MODEL_STORE],
})
export class ProjectionsModule implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: Metrics,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
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

  onApplicationShutdown(): void {
    this.readModels.close();
  }
}
