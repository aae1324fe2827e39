import { EventDecodeError, type EventStore, type StoredEvent } from '../ports/event-store.port';
import { type ProjectionStore } from '../ports/projection-store.port';
import { MAIL_CONFIG_STREAM_PREFIX } from '../mail-config/streams';
import { type ApplyOutcome, applyEvents } from './mail-config.projection';

export interface RebuildProgress {
  /** Position of the last event applied, and the store's head when the rebuild started. */
  position: bigint;
  head: bigint;
  events: number;
}

export type RebuildResult = RebuildProgress & Record<ApplyOutcome, number>;

/**
 * Empties the read models and applies every event from the start, one transaction per batch.
 * A runner in another process or instance notices the new generation and resubscribes; both then
 * apply idempotently against the one checkpoint, so racing a live service is safe.
 */
export async function rebuildReadModels(
  events: EventStore,
  readModels: ProjectionStore,
  onProgress: (progress: RebuildProgress) => void = () => undefined,
  batchSize = 500,
  /** `<stream>@<version>` of the quarantined events (`events quarantine`): skipped, never applied. */
  quarantined: ReadonlySet<string> = new Set(),
): Promise<RebuildResult> {
  const { generation } = await readModels.reset();
  const head = await events.headPosition();
  const result: RebuildResult = { position: 0n, head, events: 0, applied: 0, skipped: 0, duplicate: 0 };
  const read = async (maxCount: number): Promise<StoredEvent[] | EventDecodeError> => {
    try {
      return await events.readAll({ after: result.position, streamPrefix: MAIL_CONFIG_STREAM_PREFIX, maxCount });
    } catch (error) {
      if (error instanceof EventDecodeError && quarantined.has(`${error.streamId}@${error.version}`)) return error;
      throw error;
    }
  };
  for (;;) {
    let batch = await read(batchSize);
    if (batch instanceof EventDecodeError) {
      // A quarantined event in this page: what comes before it one at a time, then past it.
      const poison = batch;
      batch = await read(1);
      if (batch instanceof EventDecodeError) {
        result.position = poison.position;
        continue;
      }
    }
    if (batch.length === 0) break;
    const outcomes = await applyEvents(readModels, batch, generation);
    for (const outcome of outcomes) result[outcome] += 1;
    result.position = batch[batch.length - 1].position;
    result.events += batch.length;
    onProgress({ position: result.position, head, events: result.events });
  }
  return result;
}
