/** What /metrics needs from the metrics implementation: Prometheus text and its content type. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

export interface MetricsRegistry {
  contentType: string;
  metrics(): Promise<string>;
}
