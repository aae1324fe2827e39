import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type ServerWritableStream, type handleServerStreamingCall, status as GrpcStatus } from '@grpc/grpc-js';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { type EsdbLog, type LogRecord } from './esdb-log';
import {
  type RpcError,
  eventResponse,
  rpcError,
  streamDeletedError,
  streamIdentifier,
  streamNameOf,
} from './esdb-messages';

/** Streams.Read: reads of one stream or of $all, and catch-up subscriptions to either. */

type Call = ServerWritableStream<ReadReq, ReadResp>;
const Options = ReadReq.Options;
const BACKWARDS = Options.ReadDirection.BACKWARDS;

/** Writes with backpressure; knows when the client cancelled or the server went down. */
class Session {
  private readonly gone = new EventEmitter();
  private ended = false;

  constructor(
    private readonly call: Call,
    shutdown: AbortSignal,
  ) {
    const end = () => {
      this.ended = true;
      this.gone.emit('gone');
      shutdown.removeEventListener('abort', end);
    };
    call.on('cancelled', end);
    call.on('error', end);
    call.on('close', end);
    shutdown.addEventListener('abort', end, { once: true });
  }

  get alive(): boolean {
    return !this.ended;
  }

  async send(message: ReadResp): Promise<void> {
    if (this.ended) return;
    if (!this.call.write(message)) await this.until(this.call, 'drain');
  }

  until(source: EventEmitter, event: string): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        source.off(event, done);
        this.gone.off('gone', done);
        resolve();
      };
      source.on(event, done);
      this.gone.on('gone', done);
    });
  }
}

interface Filter {
  matches(record: LogRecord): boolean;
  /** Considered events between two checkpoints: the search window times the client's multiplier. */
  checkpointInterval: number;
}

function filterOf(options: ReadReq.Options): Filter | null {
  const filter = options.getFilter();
  const expression = filter?.getStreamIdentifier() ?? filter?.getEventType();
  if (!filter || !expression) return null;
  const onStream = filter.hasStreamIdentifier();
  const prefixes = expression.getPrefixList();
  const regex = expression.getRegex() ? new RegExp(expression.getRegex()) : null;
  const test = (value: string) =>
    prefixes.length ? prefixes.some((p) => value.startsWith(p)) : regex ? regex.test(value) : true;
  const window = filter.hasMax() ? filter.getMax() : 32;
  return {
    matches: (record) => test(onStream ? record.stream : record.type),
    checkpointInterval: window * Math.max(1, filter.getCheckpointintervalmultiplier()),
  };
}

export function read(log: EsdbLog, shutdown: AbortSignal): handleServerStreamingCall<ReadReq, ReadResp> {
  return (call) => {
    const options = call.request.getOptions();
    if (!options) return void call.emit('error', rpcError(GrpcStatus.INVALID_ARGUMENT, 'Read options are missing.'));
    const session = new Session(call, shutdown);
    const structured = options.getUuidOption()?.hasStructured() ?? false;
    const send = (record: LogRecord) => session.send(eventResponse(record, structured));
    const run: Promise<RpcError | void> = options.hasSubscription()
      ? subscribe(log, options, session, send)
      : options.hasStream()
        ? readStream(log, options, session, send)
        : readAll(log, options, send);
    run.then(
      (error) => (error ? call.emit('error', error) : session.alive && call.end()),
      (error: Error) => call.emit('error', rpcError(GrpcStatus.UNKNOWN, error.message)),
    );
  };
}

type Send = (record: LogRecord) => Promise<void>;

async function readStream(
  log: EsdbLog,
  options: ReadReq.Options,
  session: Session,
  send: Send,
): Promise<RpcError | void> {
  const at = options.getStream()!;
  const name = streamNameOf(at.getStreamIdentifier());
  const stream = log.stream(name);
  if (stream?.tombstoned) return streamDeletedError(name);
  if (!stream || stream.visible.length === 0) {
    const notFound = new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(name));
    return void (await session.send(new ReadResp().setStreamNotFound(notFound)));
  }
  const backwards = options.getReadDirection() === BACKWARDS;
  const Case = Options.StreamOptions.RevisionOptionCase;
  const from =
    at.getRevisionOptionCase() === Case.REVISION
      ? BigInt(at.getRevision())
      : at.getRevisionOptionCase() === Case.END
        ? backwards
          ? BigInt(Number.MAX_SAFE_INTEGER)
          : null
        : 0n;
  const records = backwards
    ? stream.visible.filter((r) => from !== null && r.revision <= from).reverse()
    : stream.visible.filter((r) => from !== null && r.revision >= from);
  for (const record of records.slice(0, Number(options.getCount()))) await send(record);
}

async function readAll(log: EsdbLog, options: ReadReq.Options, send: Send): Promise<RpcError | void> {
  const at = options.getAll()!;
  const Case = Options.AllOptions.AllOptionCase;
  const backwards = options.getReadDirection() === BACKWARDS;
  const position = at.getAllOptionCase() === Case.POSITION ? BigInt(at.getPosition()!.getCommitPosition()) : null;
  // Forwards from a position includes the event at it; backwards from it excludes it (the server
  // reads forwards from pre-positions and backwards from post-positions).
  let records: LogRecord[];
  if (at.getAllOptionCase() === Case.START) records = backwards ? [] : log.all;
  else if (at.getAllOptionCase() === Case.END) records = backwards ? [...log.all].reverse() : [];
  else
    records = backwards
      ? log.all.filter((r) => r.position < position!).reverse()
      : log.all.filter((r) => r.position >= position!);
  const filter = filterOf(options);
  let left = Number(options.getCount());
  for (const record of records) {
    if (left <= 0) break;
    if (filter && !filter.matches(record)) continue;
    await send(record);
    left--;
  }
}

/**
 * Confirmation, then history, then one caught-up message, then live events, all from one cursor
 * over the log so nothing falls between history and live. The start position is exclusive.
 * Filtered $all subscriptions also report checkpoints so a client can save progress when
 * nothing matches for a long time.
 */
async function subscribe(
  log: EsdbLog,
  options: ReadReq.Options,
  session: Session,
  send: Send,
): Promise<RpcError | void> {
  const confirmation = new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID());
  await session.send(new ReadResp().setConfirmation(confirmation));
  const filter = filterOf(options);
  let accept: (record: LogRecord) => boolean;
  let index = 0;
  let stream: string | null = null;
  if (options.hasAll()) {
    const at = options.getAll()!;
    if (at.hasEnd()) index = log.all.length;
    if (at.hasPosition()) {
      const after = BigInt(at.getPosition()!.getCommitPosition());
      index = log.all.filter((r) => r.position <= after).length;
    }
    accept = (record) => !filter || filter.matches(record);
  } else {
    const at = options.getStream()!;
    stream = streamNameOf(at.getStreamIdentifier());
    const after = at.hasRevision()
      ? BigInt(at.getRevision())
      : at.hasEnd()
        ? (log.currentRevision(stream) ?? -1n)
        : -1n;
    accept = (record) => record.stream === stream && record.revision > after;
  }
  let considered = 0;
  let caughtUp = false;
  while (session.alive) {
    if (index < log.all.length) {
      const record = log.all[index++];
      if (stream !== null && record.stream === stream && record.type === '$streamDeleted')
        return streamDeletedError(stream);
      if (accept(record)) await send(record);
      if (filter && ++considered >= filter.checkpointInterval) {
        considered = 0;
        const p = record.position.toString();
        await session.send(
          new ReadResp().setCheckpoint(new ReadResp.Checkpoint().setCommitPosition(p).setPreparePosition(p)),
        );
      }
      continue;
    }
    if (!caughtUp) {
      caughtUp = true;
      await session.send(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
    }
    await session.until(log.changes, 'append');
  }
}
