import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';
import { type QuarantinedEvent } from '../event-quarantine';

export type QuarantineEventResult =
  | { outcome: 'quarantined' | 'already_quarantined'; event: QuarantinedEvent }
  /** The stream has no event of that version. */
  | { outcome: 'not_found' };

/**
 * `events quarantine --stream … --version …`: sets one stored event aside so the projections go
 * past it (with a log line) instead of stopping at it for every tenant. Recorded durably in the
 * event store; the event itself is kept as it is.
 */
export class QuarantineEventCommand extends Command<QuarantineEventResult> {
  constructor(
    readonly streamId: string,
    readonly version: number,
    readonly reason: string | undefined,
    readonly context: CommandContext,
  ) {
    super();
  }
}
