import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { CommandMetrics, CommandOutcome } from '../../application/mail-config/command-metrics';

/** One registry per service instance, so tests running several instances do not share counters. */
export class Metrics implements CommandMetrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly commands = new Counter({
    name: 'mail_config_commands_total',
    help: 'Commands by type and outcome (ok, rejected, conflict)',
    labelNames: ['type', 'outcome'],
    registers: [this.registry],
  });
  readonly appendSeconds = new Histogram({
    name: 'event_store_append_duration_seconds',
    help: 'Event store append latency',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  record(commandType: string, outcome: CommandOutcome): void {
    this.commands.inc({ type: commandType, outcome });
  }

  appendLatency(seconds: number): void {
    this.appendSeconds.observe(seconds);
  }
}
