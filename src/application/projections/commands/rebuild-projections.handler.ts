import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type Clock, CLOCK } from '../../ports/clock.port';
import { EVENT_STORE, type EventStore } from '../../ports/event-store.port';
import { PROJECTION_STORE, type ProjectionStore } from '../../ports/projection-store.port';
import { EventQuarantine } from '../event-quarantine';
import { rebuildReadModels } from '../rebuild';
import { RebuildProjectionsResult, RebuildProjectionsCommand } from './rebuild-projections.command';

@CommandHandler(RebuildProjectionsCommand)
export class RebuildProjectionsHandler implements ICommandHandler<RebuildProjectionsCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(PROJECTION_STORE) private readonly readModels: ProjectionStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly quarantine: EventQuarantine,
  ) {}

  async execute({ onProgress }: RebuildProjectionsCommand): Promise<RebuildProjectionsResult> {
    const started = this.clock.now().getTime();
    const result = await rebuildReadModels(
      this.events,
      this.readModels,
      onProgress,
      undefined,
      new Set((await this.quarantine.list()).map((q) => `${q.streamId}@${q.version}`)),
    );
    return { ...result, durationMs: this.clock.now().getTime() - started };
  }
}
