/** Counters the command path reports; infrastructure implements them with prom-client. */
export const COMMAND_METRICS = Symbol('COMMAND_METRICS');

export type CommandOutcome = 'ok' | 'rejected' | 'conflict';

export interface CommandMetrics {
  record(commandType: string, outcome: CommandOutcome): void;
  appendLatency(seconds: number): void;
}
