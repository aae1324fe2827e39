import { Inject, Injectable } from '@nestjs/common';
import { MailConfigCommand } from '../../domain/mail-config/mail-config.commands';
import { decide, evolve } from '../../domain/mail-config/mail-config.decider';
import { MailConfigEvent } from '../../domain/mail-config/mail-config.events';
import { Clock, CLOCK } from '../ports/clock.port';
import { ConcurrencyError, EVENT_STORE, EventStore } from '../ports/event-store.port';
import { ID_GENERATOR, IdGenerator } from '../ports/id.port';
import { CommandMetrics, COMMAND_METRICS } from './command-metrics';
import { CURRENT_SCHEMA_VERSION } from './event-codec';
import { StateReader, TenantState } from './state-reader';
import { streamOf } from './streams';

/** Who and what a command comes from: stored as the metadata of every event it records. */
export interface CommandContext {
  actor: string;
  correlationId: string;
  causationId?: string;
}

export interface CommandResult {
  /** The tenant's state and version after the command (unchanged when it decided nothing). */
  current: TenantState;
  events: MailConfigEvent[];
}

const MAX_ATTEMPTS = 5;

/**
 * read → fold → decide → append with the expected version. A conflict means someone else
 * appended since we read: decide again on the newer state, a bounded number of times, and
 * surface the ConcurrencyError (409) if it keeps happening.
 */
@Injectable()
export class MailConfigCommandHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    private readonly reader: StateReader,
    @Inject(COMMAND_METRICS) private readonly metrics: CommandMetrics,
  ) {}

  async handle(
    tenantId: string,
    command: MailConfigCommand | ((state: TenantState) => MailConfigCommand | Promise<MailConfigCommand>),
    context: CommandContext,
  ): Promise<CommandResult> {
    let lastConflict: ConcurrencyError | undefined;
    let type = 'unknown';
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = await this.reader.load(tenantId);
      const cmd = typeof command === 'function' ? await command(current) : command;
      type = cmd.type;
      let events: MailConfigEvent[];
      try {
        events = decide(cmd, current.state);
      } catch (error) {
        this.metrics.record(cmd.type, 'rejected');
        throw error;
      }
      if (events.length === 0) {
        this.metrics.record(cmd.type, 'ok');
        return { current, events };
      }
      const at = this.clock.now().toISOString();
      try {
        const started = process.hrtime.bigint();
        const result = await this.store.appendToStream(
          streamOf(tenantId),
          events.map((e) => ({
            eventId: this.ids.next(),
            type: e.type,
            data: e.data,
            metadata: { ...context, at, schemaVersion: CURRENT_SCHEMA_VERSION[e.type] ?? 1 },
          })),
          { expectedVersion: current.version === 0 ? 'no_stream' : current.version },
        );
        this.metrics.appendLatency(Number(process.hrtime.bigint() - started) / 1e9);
        const next: TenantState = {
          state: events.reduce(evolve, current.state),
          version: result.nextExpectedVersion,
          updatedAt: at,
          createdAt: current.createdAt ?? at,
        };
        this.reader.remember(tenantId, next);
        this.metrics.record(cmd.type, 'ok');
        return { current: next, events };
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        lastConflict = error;
        this.reader.forget(tenantId);
      }
    }
    this.metrics.record(type, 'conflict');
    throw lastConflict!;
  }
}
