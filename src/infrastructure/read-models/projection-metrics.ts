import { Gauge, type Registry } from 'prom-client';
import type { ProjectionStatus } from '../../application/projections/projection-runner';

/**
 * Projection health for Prometheus, read at scrape time from the runner's status, so the values
 * are never stale and nothing has to be updated on the hot path.
 */
export function registerProjectionMetrics(registry: Registry, status: () => Promise<ProjectionStatus>): void {
  let last: Promise<ProjectionStatus | null> | null = null;
  // One status read per scrape, shared by the gauges below. When the event store is unreachable
  // the status cannot be read: the scrape still answers, with projection_up 0, instead of failing
  // whole and hiding every other series during the outage operators most need to see.
  const current = () =>
    (last ??= status()
      .catch(() => null)
      .finally(() => setImmediate(() => (last = null))));

  new Gauge({
    name: 'mail_config_projection_checkpoint',
    help: 'Global position of the last event applied to the read models',
    registers: [registry],
    async collect() {
      const s = await current();
      if (s) this.set(Number(s.checkpoint));
    },
  });
  new Gauge({
    name: 'mail_config_projection_lag_seconds',
    help: 'How long the oldest event not yet projected has waited (0 when caught up)',
    registers: [registry],
    async collect() {
      const s = await current();
      if (s) this.set(s.lagMs / 1000);
    },
  });
  new Gauge({
    name: 'mail_config_projection_up',
    help: '1 while the projection subscription runs without error',
    registers: [registry],
    async collect() {
      const s = await current();
      this.set(s && s.running && s.lastError === null ? 1 : 0);
    },
  });
  new Gauge({
    name: 'mail_config_projection_active',
    help: 'Whether this instance holds the projection lock and projects (1) or stands by (0)',
    registers: [registry],
    async collect() {
      const s = await current();
      this.set(s && s.running && s.role === 'active' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'mail_config_projection_skipped_events',
    help: 'Events skipped by the projections because their type is unknown to this version',
    labelNames: ['type'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const t of (await current())?.skippedTypes ?? []) this.set({ type: t.type }, t.count);
    },
  });
}
