import { Inject, Injectable } from '@nestjs/common';
import { MailConfigCommand } from '../../domain/mail-config/mail-config.commands';
import { decide, evolve } from '../../domain/mail-config/mail-config.decider';
import { MailConfigEvent } from '../../domain/mail-config/mail-config.events';
import { ApplicationError } from '../common/application-error';
import type { CommandContext } from '../common/command-context';
import { Clock, CLOCK } from '../ports/clock.port';
import {
  ConcurrencyError,
  EVENT_STORE,
  EventStore,
  EventStoreUnavailableError,
  ExpectedVersion,
  NewEvent,
} from '../ports/event-store.port';
import { ID_GENERATOR, IdGenerator } from '../ports/id.port';
import { CommandMetrics, COMMAND_METRICS } from './command-metrics';
import { schemaVersionOf } from './event-codec';
import { StateReader, VersionedState } from './state-reader';
import { streamOf } from './streams';
import { PerTenantQueue } from './per-tenant-queue';

export type { CommandContext };

export interface CommandResult {
  /** The tenant's state and version after the command (unchanged when it decided nothing). */
  current: VersionedState;
  events: MailConfigEvent[];
}

/**
 * The caller's pinned version (HTTP If-Match) against the stream's: a mismatch refuses the
 * command before anything is decided or appended.
 */
export function requireVersion(actual: number, expected: number | undefined): void {
  if (expected === undefined || expected === actual) return;
  throw new ApplicationError(
    'VERSION_MISMATCH',
    `The configuration is at version ${actual}, not ${expected}: read it again and decide on the current one`,
    undefined,
    { currentVersion: actual },
  );
}

export interface AppendOptions {
  /** The version the caller decided on; absent: decide on whatever is current (and retry conflicts). */
  expectedVersion?: number;
}

type CommandInput = MailConfigCommand | ((state: VersionedState) => MailConfigCommand | Promise<MailConfigCommand>);

const MAX_ATTEMPTS = 5;
/** After a conflict (another process wrote), a random pause below this × 2^attempt before deciding again. */
const CONFLICT_JITTER_MS = 10;
/** A store that did not answer gets the very same append once more after this pause, then the error surfaces (503). */
const RESEND_DELAY_MS = 200;
const MAX_RESENDS = 1;
/** How long a command waits for the one before it on the same tenant before answering 503. */
const MAX_TURN_WAIT_MS = 5_000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What the command appends when decided on `state`; null when it is refused, pinned elsewhere or a no-op. */
function appendable(
  cmd: MailConfigCommand,
  state: VersionedState,
  expectedVersion: number | undefined,
): MailConfigEvent[] | null {
  if (expectedVersion !== undefined && expectedVersion !== state.version) return null;
  try {
    const events = decide(cmd, state.state);
    return events.length > 0 ? events : null;
  } catch {
    return null;
  }
}

/**
 * read → fold → decide → append with the expected version. A conflict means someone else
 * appended since we read: decide again on the newer state, a bounded number of times, and
 * surface the ConcurrencyError (409) if it keeps happening. Commands on one tenant take turns
 * in this process (see PerTenantQueue), so conflicts come from other processes only.
 *
 * Event ids are drawn once per decision. When the store does not answer an append (deadline,
 * dropped connection) the append may still have landed, so it is re-sent with the same ids and
 * the same expected version: every store answers such a retry with the first result instead of
 * writing the events twice. Only a conflict leads to a new decision, and so to new ids.
 */
@Injectable()
export class DecideAndAppend {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    private readonly reader: StateReader,
    @Inject(COMMAND_METRICS) private readonly metrics: CommandMetrics,
  ) {}

  private readonly queue = new PerTenantQueue(MAX_TURN_WAIT_MS);

  handle(
    tenantId: string,
    command: CommandInput,
    context: CommandContext,
    options: AppendOptions = {},
  ): Promise<CommandResult> {
    return this.queue.run(
      tenantId,
      () => this.decideAndAppend(tenantId, command, context, options.expectedVersion),
      () =>
        new EventStoreUnavailableError(
          `Commands on ${tenantId} waited more than ${MAX_TURN_WAIT_MS} ms for the event store`,
        ),
    );
  }

  private async decideAndAppend(
    tenantId: string,
    command: CommandInput,
    context: CommandContext,
    expectedVersion: number | undefined,
  ): Promise<CommandResult> {
    let lastConflict: ConcurrencyError | undefined;
    let type = 'unknown';
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      // First attempt of a plain command: decide on the state this process last folded, without
      // reading the stream. The append's expected version is the check: had another process
      // written since, it is a conflict, and the next attempt reads. What the append cannot check
      // — a refusal, a pinned version, a command that changes nothing — is decided again on a
      // fresh read before it is answered.
      const cached = attempt === 1 && typeof command !== 'function' ? this.reader.cached(tenantId) : undefined;
      let current = cached ?? (await this.reader.load(tenantId));
      let cmd = typeof command === 'function' ? await command(current) : command;
      type = cmd.type;
      let events = cached ? appendable(cmd, cached, expectedVersion) : null;
      if (cached && !events) {
        current = await this.reader.load(tenantId);
        cmd = typeof command === 'function' ? await command(current) : command;
      }
      try {
        // After a conflict the stream has moved past a pinned version: refused, never retried into success.
        requireVersion(current.version, expectedVersion);
      } catch (error) {
        this.metrics.record(cmd.type, 'conflict');
        throw error;
      }
      try {
        events ??= decide(cmd, current.state);
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
        const result = await this.appendResending(
          streamOf(tenantId),
          events.map((e) => ({
            eventId: this.ids.next(),
            type: e.type,
            data: e.data,
            metadata: { ...context, at, schemaVersion: schemaVersionOf(e.type) },
          })),
          current.version === 0 ? 'no_stream' : current.version,
        );
        this.metrics.appendLatency(Number(process.hrtime.bigint() - started) / 1e9);
        const next: VersionedState = {
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
        if (attempt < MAX_ATTEMPTS) await pause(Math.random() * CONFLICT_JITTER_MS * 2 ** attempt);
      }
    }
    this.metrics.record(type, 'conflict');
    throw lastConflict!;
  }

  private async appendResending(streamId: string, events: NewEvent[], expectedVersion: ExpectedVersion) {
    for (let resend = 0; ; resend++) {
      try {
        return await this.store.appendToStream(streamId, events, { expectedVersion });
      } catch (error) {
        if (!(error instanceof EventStoreUnavailableError) || resend >= MAX_RESENDS) throw error;
        await pause(RESEND_DELAY_MS);
      }
    }
  }
}
