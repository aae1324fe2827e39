import { type handleUnaryCall, status as GrpcStatus } from '@grpc/grpc-js';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import {
  type DeleteReq,
  DeleteResp,
  type TombstoneReq,
  TombstoneResp,
} from '@eventstore/db-client/generated/streams_pb';
import { type AppendOutcome, type EsdbLog, type Expected } from './esdb-log';
import { expectedFrom, rpcError, streamDeletedError, streamNameOf, wrongExpectedVersionError } from './esdb-messages';

/** Streams.Delete (soft) and Streams.Tombstone (hard); both unary, both raise errors as gRPC status. */

type DeleteLike = DeleteReq | TombstoneReq;

function deletion<Req extends DeleteLike, Resp extends DeleteResp | TombstoneResp>(
  run: (stream: string, expected: Expected) => AppendOutcome,
  respond: (position: bigint | null) => Resp,
): handleUnaryCall<Req, Resp> {
  return (call, callback) => {
    const options = call.request.getOptions();
    const stream = streamNameOf(options?.getStreamIdentifier());
    const expected = options && expectedFrom(options.getExpectedStreamRevisionCase(), options.getRevision());
    if (expected === null || expected === undefined) {
      return callback(rpcError(GrpcStatus.INVALID_ARGUMENT, 'Expected stream revision is not set.'));
    }
    const outcome = run(stream, expected);
    if (outcome.kind === 'stream-deleted') return callback(streamDeletedError(stream));
    if (outcome.kind === 'wrong-expected-version')
      return callback(wrongExpectedVersionError(stream, expected, outcome.current));
    callback(null, respond(outcome.position));
  };
}

export const deleteStream = (log: EsdbLog) =>
  deletion<DeleteReq, DeleteResp>(
    (stream, expected) => log.softDelete(stream, expected),
    (position) =>
      position === null
        ? new DeleteResp().setNoPosition(new Empty())
        : new DeleteResp().setPosition(
            new DeleteResp.Position().setCommitPosition(`${position}`).setPreparePosition(`${position}`),
          ),
  );

export const tombstoneStream = (log: EsdbLog) =>
  deletion<TombstoneReq, TombstoneResp>(
    (stream, expected) => log.tombstone(stream, expected),
    (position) =>
      position === null
        ? new TombstoneResp().setNoPosition(new Empty())
        : new TombstoneResp().setPosition(
            new TombstoneResp.Position().setCommitPosition(`${position}`).setPreparePosition(`${position}`),
          ),
  );
