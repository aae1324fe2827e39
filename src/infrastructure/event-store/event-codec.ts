import { EventDecodeError, type EventMetadata, type StoredEvent } from '../../application/ports/event-store.port';

export interface RawEvent {
  streamId: string;
  version: number;
  position: bigint;
  eventId: string;
  type: string;
  /** JSON text (SQLite) or what the client already parsed (EventStoreDB: raw bytes when it could not). */
  data: unknown;
  metadata: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

/**
 * Reads one stored event back, or throws EventDecodeError naming its stream, version and global
 * position (never its content: it may hold a sealed secret). Both stores decode through here.
 */
export function decodeEvent(raw: RawEvent): StoredEvent {
  const fail = (reason: string) => new EventDecodeError(raw.streamId, raw.version, raw.position, reason);
  const data = parsed(raw.data, () => fail('its data is not valid JSON'));
  if (!isObject(data)) throw fail('its data is not a JSON object');
  const metadata = parsed(raw.metadata, () => fail('its metadata is not valid JSON'));
  if (!isObject(metadata)) throw fail('its metadata is not a JSON object');
  for (const field of ['actor', 'correlationId', 'at'] as const) {
    if (typeof metadata[field] !== 'string') throw fail(`its metadata has no ${field}`);
  }
  return {
    streamId: raw.streamId,
    version: raw.version,
    position: raw.position,
    eventId: raw.eventId,
    type: raw.type,
    data,
    metadata: metadata as unknown as EventMetadata,
  };
}

function parsed(value: unknown, fail: () => Error): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw fail();
  }
}
