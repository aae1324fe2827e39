import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type CommandContext } from '../common/command-context';
import { EVENT_QUARANTINE_STREAM_PREFIX } from '../common/stream-categories';
import { CLOCK, type Clock } from '../ports/clock.port';
import { EVENT_STORE, type EventStore } from '../ports/event-store.port';

/** The mail-config projection's quarantine: in the event store, so every instance and the CLI share it. */
export const QUARANTINE_STREAM = `${EVENT_QUARANTINE_STREAM_PREFIX}mail-config`;

export interface QuarantinedEvent {
  streamId: string;
  version: number;
  /** Global position (decimal string: it may exceed a JS number). */
  position: string;
  reason: string;
  quarantinedAt: string;
  /** Who quarantined it (the CLI's --actor, default the operator's user name). */
  actor: string;
}

/**
 * Events an operator set aside because they cannot be read back (a damaged row, a hand edit):
 * the projection runner skips exactly these, by stream and version, and nothing else.
 */
@Injectable()
export class EventQuarantine {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(): Promise<QuarantinedEvent[]> {
    const events = await this.store.readStream(QUARANTINE_STREAM);
    return events.map((e) => ({ ...(e.data as Omit<QuarantinedEvent, 'actor'>), actor: e.metadata.actor }));
  }

  async has(streamId: string, version: number): Promise<boolean> {
    return (await this.list()).some((q) => q.streamId === streamId && q.version === version);
  }

  async add(
    entry: { streamId: string; version: number; position: bigint; reason: string },
    context: CommandContext,
  ): Promise<QuarantinedEvent> {
    const at = this.clock.now().toISOString();
    const data = {
      streamId: entry.streamId,
      version: entry.version,
      position: entry.position.toString(),
      reason: entry.reason,
      quarantinedAt: at,
    };
    await this.store.appendToStream(
      QUARANTINE_STREAM,
      [
        {
          eventId: randomUUID(),
          type: 'EventQuarantined',
          data,
          metadata: { actor: context.actor, correlationId: context.correlationId, at },
        },
      ],
      { expectedVersion: 'any' },
    );
    return { ...data, actor: context.actor };
  }
}
