import { EventQuarantine } from '../application/projections/event-quarantine';
import { inNetworks, parseCidr } from '../infrastructure/mail/ssrf/ip-ranges';
import {
  Inject,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../application/app-config';
import { ReadinessRegistry } from '../application/health/readiness';
import { type ProjectionLock } from '../application/ports/projection-lock.port';
import { WEBHOOK_DELIVERY_STORE, type WebhookDeliveryStore } from '../application/ports/webhook-delivery-store.port';
import { WEBHOOK_ENDPOINT } from '../application/ports/webhook-endpoint.port';
import { ReplayWebhookDeliveryHandler } from '../application/webhooks/commands/replay-webhook-delivery.handler';
import { ListWebhookDeliveriesHandler } from '../application/webhooks/queries/list-webhook-deliveries.handler';
import { WebhookDispatcher } from '../application/webhooks/webhook-dispatcher';
import { WEBHOOK_FEED_LOCK, WebhookFeed } from '../application/webhooks/webhook-feed';
import { WEBHOOK_METRICS } from '../application/webhooks/webhook-metrics';
import { WEBHOOK_SETTINGS, webhookSettingsFrom } from '../application/webhooks/webhook-settings';
import { dataDirPath } from '../infrastructure/data-dir-layout';
import { SystemHostResolver } from '../infrastructure/mail/ssrf/host-resolver';
import { Metrics } from '../infrastructure/metrics/metrics';
import { PostgresDatabase } from '../infrastructure/postgres/postgres-database';
import { PostgresProjectionLock } from '../infrastructure/postgres/postgres.projection-lock';
import { PostgresWebhookDeliveryStore } from '../infrastructure/postgres/postgres.webhook-delivery-store';
import { InProcessProjectionLock } from '../infrastructure/read-models/in-process.projection-lock';
import { HttpWebhookEndpoint } from '../infrastructure/webhooks/http.webhook-endpoint';
import { WEBHOOK_ADDRESS_POLICY, type WebhookAddressPolicy } from '../infrastructure/webhooks/webhook-address-policy';
import { SqliteWebhookDeliveryStore } from '../infrastructure/webhooks/sqlite.webhook-delivery-store';
import { PrometheusWebhookMetrics } from '../infrastructure/webhooks/webhook-metrics';
import { WebhookDeliveriesController } from '../interfaces/http/webhooks/webhook-deliveries.controller';
import { POSTGRES_DATABASE } from './core.module';

/**
 * Webhooks to the main application: a checkpointed feed fills a durable queue (SQLite in DATA_DIR,
 * or the shared PostgreSQL table), a dispatcher on every instance delivers it with retries, and
 * support lists failed deliveries and replays them. Without WEBHOOK_URL nothing runs, no file is
 * opened, and the routes answer 503.
 */
@Module({
  controllers: [WebhookDeliveriesController],
  providers: [
    // The operators' quarantine of unreadable events, shared with the projections (it lives in the event store).
    EventQuarantine,
    {
      provide: WEBHOOK_SETTINGS,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => webhookSettingsFrom(c.webhooks, c.projectionMaxLagMs),
    },
    {
      provide: WEBHOOK_DELIVERY_STORE,
      inject: [APP_CONFIG, POSTGRES_DATABASE],
      useFactory: (config: AppConfig, database: PostgresDatabase | null): WebhookDeliveryStore | null => {
        if (!config.webhooks) return null;
        return database
          ? new PostgresWebhookDeliveryStore(database.pool)
          : new SqliteWebhookDeliveryStore(dataDirPath(config.dataDir, 'webhooks'));
      },
    },
    {
      provide: WEBHOOK_FEED_LOCK,
      inject: [APP_CONFIG, POSTGRES_DATABASE],
      useFactory: (config: AppConfig, database: PostgresDatabase | null): ProjectionLock | null => {
        if (!config.webhooks) return null;
        return database ? new PostgresProjectionLock(database.config) : new InProcessProjectionLock();
      },
    },
    {
      // The one place that decides whether the webhook URL may reach a private address.
      provide: WEBHOOK_ADDRESS_POLICY,
      inject: [APP_CONFIG],
      // The same networks as tenant SMTP servers (SMTP_ALLOWED_PRIVATE_NETWORKS): one policy for the service.
      useFactory: (config: AppConfig): WebhookAddressPolicy => {
        const networks = config.smtpAllowedPrivateNetworks.map((n) => parseCidr(n)!);
        return { allowsPrivate: (ip) => inNetworks(ip, networks) };
      },
    },
    {
      provide: WEBHOOK_ENDPOINT,
      inject: [APP_CONFIG, WEBHOOK_ADDRESS_POLICY],
      useFactory: (config: AppConfig, policy: WebhookAddressPolicy) =>
        config.webhooks ? new HttpWebhookEndpoint(config.webhooks, policy, new SystemHostResolver()) : null,
    },
    {
      provide: WEBHOOK_METRICS,
      inject: [Metrics, WEBHOOK_DELIVERY_STORE],
      useFactory: (metrics: Metrics, store: WebhookDeliveryStore | null) =>
        new PrometheusWebhookMetrics(metrics.registry, store),
    },
    WebhookFeed,
    WebhookDispatcher,
    ListWebhookDeliveriesHandler,
    ReplayWebhookDeliveryHandler,
  ],
})
export class WebhooksModule implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly readiness: ReadinessRegistry,
    private readonly feed: WebhookFeed,
    private readonly dispatcher: WebhookDispatcher,
    @Inject(WEBHOOK_DELIVERY_STORE) private readonly store: WebhookDeliveryStore | null,
    @Inject(WEBHOOK_FEED_LOCK) private readonly lock: ProjectionLock | null,
  ) {}

  /**
   * The feed is shown under `checks.webhookFeed` (not at all when webhooks are off) but does not
   * decide readiness: a stopped or lagging feed (a poisoned event, a failing queue, a lost lock) is
   * not mended by taking this instance out of the load balancer, and failing readiness would also
   * stop it serving the API and the sends it still can. Operators see it, and can alert on it.
   */
  onModuleInit(): void {
    if (!this.config.webhooks) return;
    this.readiness.register('webhookFeed', () => this.feed.readiness(), { required: false });
  }

  async onApplicationBootstrap(): Promise<void> {
    const webhooks = this.config.webhooks;
    if (!webhooks) return;
    // The host only: the URL's path or query may hold a token of the receiver.
    new Logger('Webhooks').log(
      `webhooks to ${new URL(webhooks.url).host}, ${webhooks.retryScheduleMs.length} retries at most`,
    );
    this.feed.onQueued = () => this.dispatcher.wake();
    await this.feed.start();
    this.dispatcher.start();
  }

  /** Before the event store closes (module destroy runs before any application-shutdown hook). */
  async onModuleDestroy(): Promise<void> {
    await this.feed.stop();
    await this.dispatcher.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.lock?.close();
    await this.store?.close();
  }
}
