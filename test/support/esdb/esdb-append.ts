import { type handleBidiStreamingCall, type handleClientStreamingCall, status as GrpcStatus } from '@grpc/grpc-js';
import { Empty as GoogleEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import {
  AllStreamPosition,
  BadRequest,
  Empty,
  MaximumAppendSizeExceeded,
  StreamDeleted,
} from '@eventstore/db-client/generated/shared_pb';
import {
  type AppendReq,
  AppendResp,
  type BatchAppendReq,
  BatchAppendResp,
} from '@eventstore/db-client/generated/streams_pb';
import { type AppendOutcome, type EsdbLog, type Expected, type ProposedEvent } from './esdb-log';
import {
  type RpcError,
  batchStatus,
  batchWrongExpectedVersion,
  expectedFrom,
  maxAppendSizeError,
  parseUuid,
  rpcError,
  streamDeletedError,
  streamIdentifier,
  streamNameOf,
} from './esdb-messages';

/** Streams.Append and Streams.BatchAppend. */

type Proposed = AppendReq.ProposedMessage | BatchAppendReq.ProposedMessage;

function proposedEvent(message: Proposed): ProposedEvent | string {
  const id = parseUuid(message.getId());
  const type = message.getMetadataMap().get('type');
  const contentType = message.getMetadataMap().get('content-type');
  if (!id) return 'Event id is not a valid UUID.';
  if (type === undefined || contentType === undefined)
    return 'Required metadata property is missing: type, content-type.';
  return { id, type, contentType, data: message.getData_asU8(), metadata: message.getCustomMetadata_asU8() };
}

/** What a node counts against its maximum append size: data, metadata and the type in UTF-16. */
const sizeOf = (event: ProposedEvent) => event.data.length + event.metadata.length + 2 * event.type.length;

/**
 * Client streaming: one options message, then the proposed events, then the single answer.
 * The answer waits for the end of the request even when the write already failed, where a node
 * answers at once; the client cannot tell the difference.
 */
export function append(log: EsdbLog, maxAppendSize: number): handleClientStreamingCall<AppendReq, AppendResp> {
  return (call, callback) => {
    let options: AppendReq.Options | undefined;
    const events: ProposedEvent[] = [];
    let size = 0;
    let failure: RpcError | null = null;
    call.on('data', (req: AppendReq) => {
      if (failure) return;
      if (!options) {
        options = req.getOptions();
        if (!options) failure = rpcError(GrpcStatus.UNKNOWN, 'The first append message must carry the options.');
        return;
      }
      const event = req.hasProposedMessage()
        ? proposedEvent(req.getProposedMessage()!)
        : 'Expected a proposed message.';
      if (typeof event === 'string') return void (failure = rpcError(GrpcStatus.INVALID_ARGUMENT, event));
      size += sizeOf(event);
      if (size > maxAppendSize) failure = maxAppendSizeError(maxAppendSize);
      else events.push(event);
    });
    call.on('end', () => {
      const expected = options && expectedFrom(options.getExpectedStreamRevisionCase(), options.getRevision());
      if (!failure && (expected === null || expected === undefined)) {
        failure = rpcError(GrpcStatus.INVALID_ARGUMENT, 'Expected stream revision is not set.');
      }
      if (failure) return callback(failure);
      const stream = streamNameOf(options!.getStreamIdentifier());
      const outcome = log.append(stream, expected!, events);
      if (outcome.kind === 'stream-deleted') return callback(streamDeletedError(stream));
      const resp = new AppendResp();
      if (outcome.kind === 'wrong-expected-version')
        resp.setWrongExpectedVersion(appendConflict(expected!, outcome.current));
      else resp.setSuccess(appendSuccess(outcome));
      callback(null, resp);
    });
  };
}

function appendSuccess(outcome: Extract<AppendOutcome, { kind: 'success' }>): AppendResp.Success {
  const success = new AppendResp.Success();
  if (outcome.revision === null) success.setNoStream(new Empty());
  else success.setCurrentRevision(outcome.revision.toString());
  if (outcome.position === null) return success.setNoPosition(new Empty());
  const p = outcome.position.toString();
  return success.setPosition(new AppendResp.Position().setCommitPosition(p).setPreparePosition(p));
}

/** The server fills both the 20.6.0 fields and the current ones, so old and new clients understand it. */
function appendConflict(expected: Expected, current: bigint | null): AppendResp.WrongExpectedVersion {
  const w = new AppendResp.WrongExpectedVersion();
  if (current === null) w.setCurrentNoStream(new Empty()).setNoStream2060(new Empty());
  else w.setCurrentRevision(current.toString()).setCurrentRevision2060(Number(current));
  if (expected === 'any') w.setExpectedAny(new Empty()).setAny2060(new Empty());
  else if (expected === 'exists') w.setExpectedStreamExists(new Empty()).setStreamExists2060(new Empty());
  else if (expected === 'no_stream') w.setExpectedNoStream(new Empty());
  else w.setExpectedRevision(expected.toString()).setExpectedRevision2060(Number(expected));
  return w;
}

interface PendingWrite {
  stream: string;
  expected: Expected | null;
  events: ProposedEvent[];
  size: number;
}

/**
 * Bidirectional: requests carry a correlation id; the first chunk of a write carries the options,
 * the last one is_final. One answer per write, possibly out of order with other writes.
 */
export function batchAppend(
  log: EsdbLog,
  maxAppendSize: number,
): handleBidiStreamingCall<BatchAppendReq, BatchAppendResp> {
  return (call) => {
    const pending = new Map<string, PendingWrite>();
    call.on('data', (req: BatchAppendReq) => {
      const key = parseUuid(req.getCorrelationId()) ?? '';
      const options = req.getOptions();
      if (options) {
        const expected = expectedFrom(options.getExpectedStreamPositionCase(), options.getStreamPosition());
        pending.set(key, { stream: streamNameOf(options.getStreamIdentifier()), expected, events: [], size: 0 });
      }
      const write = pending.get(key);
      if (!write) return; // the server drops chunks of writes it does not know (e.g. already failed)
      const answer = (resp: BatchAppendResp) =>
        call.write(resp.setCorrelationId(req.getCorrelationId()).setStreamIdentifier(streamIdentifier(write.stream)));
      for (const message of req.getProposedMessagesList()) {
        const event = proposedEvent(message);
        if (typeof event === 'string') {
          pending.delete(key);
          return answer(new BatchAppendResp().setError(badRequest(event)));
        }
        write.events.push(event);
        write.size += sizeOf(event);
        if (write.size > maxAppendSize) {
          pending.delete(key);
          return answer(new BatchAppendResp().setError(tooLarge(maxAppendSize)));
        }
      }
      if (!req.getIsFinal()) return;
      pending.delete(key);
      if (write.expected === null) {
        return answer(new BatchAppendResp().setError(badRequest('Expected stream position is not set.')));
      }
      answer(batchAnswer(log.append(write.stream, write.expected, write.events), write));
    });
    call.on('end', () => call.end());
    call.on('error', () => undefined); // a client that goes away is not a server error
  };
}

function badRequest(message: string) {
  return batchStatus(
    Code.INVALID_ARGUMENT,
    'BadRequest',
    new BadRequest().setMessage(message),
    'event_store.client.BadRequest',
  );
}

function tooLarge(maxAppendSize: number) {
  return batchStatus(
    Code.INVALID_ARGUMENT,
    'MaximumAppendSizeExceeded',
    new MaximumAppendSizeExceeded().setMaxappendsize(maxAppendSize),
    'event_store.client.MaximumAppendSizeExceeded',
  );
}

function batchAnswer(outcome: AppendOutcome, write: PendingWrite): BatchAppendResp {
  if (outcome.kind === 'stream-deleted') {
    const detail = new StreamDeleted().setStreamIdentifier(streamIdentifier(write.stream));
    const status = batchStatus(Code.NOT_FOUND, 'StreamDeleted', detail, 'event_store.client.StreamDeleted');
    return new BatchAppendResp().setError(status);
  }
  if (outcome.kind === 'wrong-expected-version') {
    return new BatchAppendResp().setError(batchWrongExpectedVersion(write.expected!, outcome.current));
  }
  const success = new BatchAppendResp.Success();
  if (outcome.revision === null) success.setNoStream(new GoogleEmpty());
  else success.setCurrentRevision(outcome.revision.toString());
  if (outcome.position === null) success.setNoPosition(new GoogleEmpty());
  else {
    const p = outcome.position.toString();
    success.setPosition(new AllStreamPosition().setCommitPosition(p).setPreparePosition(p));
  }
  return new BatchAppendResp().setSuccess(success);
}
