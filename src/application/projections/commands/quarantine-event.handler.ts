import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { logContext } from '../../common/log-context';
import { EVENT_STORE, EventDecodeError, type EventStore } from '../../ports/event-store.port';
import { EventQuarantine } from '../event-quarantine';
import { QuarantineEventCommand, type QuarantineEventResult } from './quarantine-event.command';

@CommandHandler(QuarantineEventCommand)
export class QuarantineEventHandler implements ICommandHandler<QuarantineEventCommand> {
  private readonly logger = new Logger('EventQuarantine');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly quarantine: EventQuarantine,
  ) {}

  async execute({ streamId, version, reason, context }: QuarantineEventCommand): Promise<QuarantineEventResult> {
    const known = (await this.quarantine.list()).find((q) => q.streamId === streamId && q.version === version);
    if (known) return { outcome: 'already_quarantined', event: known };
    let position: bigint;
    let why: string;
    try {
      const [event] = await this.store.readStream(streamId, { fromVersion: version, maxCount: 1 });
      if (event?.version !== version) return { outcome: 'not_found' };
      // It reads back: an operator may still set it aside (a projection that cannot apply it).
      position = event.position;
      why = reason ?? 'quarantined by an operator';
    } catch (error) {
      if (!(error instanceof EventDecodeError) || error.streamId !== streamId || error.version !== version) throw error;
      position = error.position;
      why = reason ?? error.reason;
    }
    const event = await this.quarantine.add({ streamId, version, position, reason: why }, context);
    this.logger.warn(
      logContext(context),
      `event ${streamId} version ${version} (position ${position}) quarantined by ${context.actor}`,
    );
    return { outcome: 'quarantined', event };
  }
}
