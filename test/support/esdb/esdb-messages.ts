import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as GoogleEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import { StreamIdentifier, UUID, WrongExpectedVersion } from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { type Expected, type LogRecord } from './esdb-log';

/** Builders for the wire shapes the real server uses, from the client's own generated messages. */

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID message in either of its encodings; null when absent or malformed. */
export function parseUuid(uuid: UUID | undefined): string | null {
  if (!uuid) return null;
  if (uuid.hasStructured()) {
    const s = uuid.getStructured()!;
    const hex = [s.getMostSignificantBits(), s.getLeastSignificantBits()]
      .map((bits) => BigInt.asUintN(64, BigInt(bits)).toString(16).padStart(16, '0'))
      .join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  const text = uuid.getString();
  return UUID_PATTERN.test(text) ? text.toLowerCase() : null;
}

/** The client chooses the encoding of event ids in reads (UUIDOption); answer in that one. */
export function uuidMessage(id: string, structured: boolean): UUID {
  const uuid = new UUID();
  if (!structured) return uuid.setString(id);
  const hex = id.replace(/-/g, '');
  const bits = (part: string) => BigInt.asIntN(64, BigInt(`0x${part}`)).toString();
  return uuid.setStructured(
    new UUID.Structured().setMostSignificantBits(bits(hex.slice(0, 16))).setLeastSignificantBits(bits(hex.slice(16))),
  );
}

export function streamNameOf(identifier: StreamIdentifier | undefined): string {
  return identifier ? Buffer.from(identifier.getStreamName_asU8()).toString('utf8') : '';
}

export function streamIdentifier(name: string): StreamIdentifier {
  return new StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));
}

export function eventResponse(record: LogRecord, structuredIds: boolean): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidMessage(record.id, structuredIds))
    .setStreamIdentifier(streamIdentifier(record.stream))
    .setStreamRevision(record.revision.toString())
    .setCommitPosition(record.position.toString())
    .setPreparePosition(record.position.toString())
    .setData(record.data)
    .setCustomMetadata(record.metadata);
  recorded
    .getMetadataMap()
    .set('type', record.type)
    .set('content-type', record.contentType)
    .set('created', record.created.toString());
  const event = new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(record.position.toString());
  return new ReadResp().setEvent(event);
}

// The oneof case numbers are the same in every request type: 2 revision, 3 no stream, 4 any, 5 exists.
export function expectedFrom(oneofCase: number, revision: string): Expected | null {
  if (oneofCase === 2) return BigInt(revision);
  if (oneofCase === 3) return 'no_stream';
  if (oneofCase === 4) return 'any';
  if (oneofCase === 5) return 'exists';
  return null;
}

/** ESDB's long encoding of expected versions, used in error trailers. */
export function expectedAsLong(expected: Expected): bigint {
  if (expected === 'any') return -2n;
  if (expected === 'no_stream') return -1n;
  if (expected === 'exists') return -4n;
  return expected;
}

export interface RpcError {
  code: number;
  details: string;
  metadata: Metadata;
}

/** Errors the server raises as gRPC status + trailers; the client reads the "exception" trailer. */
export function rpcError(code: number, details: string, trailers: Record<string, string> = {}): RpcError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return { code, details, metadata };
}

export const streamDeletedError = (stream: string) =>
  rpcError(GrpcStatus.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, {
    exception: 'stream-deleted',
    'stream-name': stream,
  });

/**
 * The shape Delete and Tombstone use (both say "Delete", as a node since 22.10 does); appends report
 * the conflict inside their response instead. A missing stream's version is -1, never empty.
 */
export const wrongExpectedVersionError = (stream: string, expected: Expected, current: bigint | null) =>
  rpcError(
    GrpcStatus.FAILED_PRECONDITION,
    `Delete failed due to WrongExpectedVersion. Stream: ${stream}, ` +
      `Expected version: ${expectedAsLong(expected)}, Actual version: ${current ?? -1n}`,
    {
      exception: 'wrong-expected-version',
      'stream-name': stream,
      'expected-version': expectedAsLong(expected).toString(),
      'actual-version': (current ?? -1n).toString(),
    },
  );

/** A classic Append over the size limit fails as a whole, before anything is written. */
export const maxAppendSizeError = (maxAppendSize: number) =>
  rpcError(GrpcStatus.INVALID_ARGUMENT, `Maximum Append Size of ${maxAppendSize} Exceeded.`, {
    exception: 'maximum-append-size-exceeded',
    'maximum-append-size': maxAppendSize.toString(),
  });

/** BatchAppend reports failures per request as a google.rpc.Status with a packed detail message. */
export function batchStatus(
  code: Code,
  message: string,
  detail: { serializeBinary(): Uint8Array },
  typeName: string,
): Status {
  const any = new Any();
  any.pack(detail.serializeBinary(), typeName);
  return new Status().setCode(code).setMessage(message).setDetails(any);
}

export function batchWrongExpectedVersion(expected: Expected, current: bigint | null): Status {
  const detail = new WrongExpectedVersion();
  if (current === null) detail.setCurrentNoStream(new GoogleEmpty());
  else detail.setCurrentStreamRevision(current.toString());
  if (expected === 'any') detail.setExpectedAny(new GoogleEmpty());
  else if (expected === 'no_stream') detail.setExpectedNoStream(new GoogleEmpty());
  else if (expected === 'exists') detail.setExpectedStreamExists(new GoogleEmpty());
  else detail.setExpectedStreamPosition(expected.toString());
  return batchStatus(Code.ALREADY_EXISTS, 'WrongExpectedVersion', detail, 'event_store.client.WrongExpectedVersion');
}
