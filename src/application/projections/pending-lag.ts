import { MAIL_CONFIG_STREAM_PREFIX } from '../mail-config/streams';
import { EventDecodeError, type EventStore } from '../ports/event-store.port';

/**
 * How long the oldest tenant event after a checkpoint has waited — what the projections and the
 * webhook feed report as their lag. Other streams (OAuth state, claims) share the store and a
 * checkpoint only moves on tenant events, so "the next event after the checkpoint" could mean
 * reading past many foreign ones on every probe: a range already found to hold none of ours is
 * skipped while the checkpoint is still inside it. One instance per follower (the range is its).
 */
export class PendingLag {
  private noneOfOurs: { from: bigint; to: bigint } | null = null;

  constructor(private readonly events: EventStore) {}

  /**
   * Milliseconds at `now`: 0 when nothing of ours waits (or its time cannot be parsed), null when
   * the next event cannot be decoded (the follower's own error says which it is). `head` is read
   * by the caller before this call, so nothing appended meanwhile is taken for "none of ours".
   */
  async at(checkpoint: bigint, head: bigint, now: Date): Promise<number | null> {
    const known = this.noneOfOurs;
    const after = known && checkpoint >= known.from && checkpoint < known.to ? known.to : checkpoint;
    try {
      const [oldest] = await this.events.readAll({ after, streamPrefix: MAIL_CONFIG_STREAM_PREFIX, maxCount: 1 });
      if (!oldest) {
        if (head > checkpoint) this.noneOfOurs = { from: checkpoint, to: head };
        return 0;
      }
      const since = Date.parse(oldest.metadata.at);
      return Number.isNaN(since) ? 0 : Math.max(0, now.getTime() - since);
    } catch (error) {
      if (error instanceof EventDecodeError) return null;
      throw error;
    }
  }
}
