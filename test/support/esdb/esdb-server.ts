import { setMaxListeners } from 'node:events';
import { Server, ServerCredentials, type handleUnaryCall } from '@grpc/grpc-js';
import { type Empty } from '@eventstore/db-client/generated/shared_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { append, batchAppend } from './esdb-append';
import { deleteStream, tombstoneStream } from './esdb-delete';
import { EsdbLog } from './esdb-log';
import { read } from './esdb-read';

/**
 * A single-node, insecure EventStoreDB for tests: the client's own gRPC service definitions and
 * messages over a real HTTP/2 socket, backed by an in-memory log. See README.md for its limits.
 */

export interface EsdbServerOptions {
  /** 0 picks a free port; restarts reuse whichever port was bound first. */
  port?: number;
  /** Real servers since 21.10 advertise BatchAppend; without it the client falls back to Append. */
  advertiseBatchAppend?: boolean;
  serverVersion?: string;
  /** Start with a couple of system events in $all, as a real node has. Default true. */
  seedSystemEvents?: boolean;
  /** Bytes one write may carry (data, metadata, type); a node's default is 1 MiB. */
  maxAppendSize?: number;
}

export interface EsdbServer {
  readonly port: number;
  readonly connectionString: string;
  readonly log: EsdbLog;
  readonly running: boolean;
  /** How often each gRPC method was called, so tests can tell which append path the client took. */
  readonly calls: Record<string, number>;
  /** Drops every connection and stops listening, like a node that crashed. Data is kept. */
  stop(): Promise<void>;
  /** Listens again on the same port with the same data. */
  start(): Promise<void>;
}

export async function startEsdbServer(options: EsdbServerOptions = {}): Promise<EsdbServer> {
  const log = new EsdbLog(options.seedSystemEvents ?? true);
  const advertiseBatchAppend = options.advertiseBatchAppend ?? true;
  const serverVersion = options.serverVersion ?? '24.10.0';
  const maxAppendSize = options.maxAppendSize ?? 1024 * 1024;
  let server: Server | null = null;
  let shutdown = new AbortController();
  let port = options.port ?? 0;
  const calls: Record<string, number> = {};
  const counted = <H extends (...args: never[]) => void>(name: string, handler: H): H =>
    ((...args: never[]) => {
      calls[name] = (calls[name] ?? 0) + 1;
      handler(...args);
    }) as H;

  const supportedMethods: handleUnaryCall<Empty, SupportedMethods> = (_call, callback) => {
    const methods = new SupportedMethods().setEventStoreServerVersion(serverVersion);
    const add = (service: string, method: string) =>
      methods.addMethods(new SupportedMethod().setServiceName(service).setMethodName(method));
    // The server lists method names in lower case; the client compares paths case-insensitively.
    for (const method of ['read', 'append', 'delete', 'tombstone']) add('event_store.client.streams.streams', method);
    if (advertiseBatchAppend) add('event_store.client.streams.streams', 'batchappend');
    add('event_store.client.server_features.serverfeatures', 'getsupportedmethods');
    callback(null, methods);
  };

  const listen = async () => {
    shutdown = new AbortController();
    // Every open read listens for the shutdown; many concurrent reads are normal, not a leak.
    setMaxListeners(0, shutdown.signal);
    const next = new Server();
    next.addService(ServerFeaturesService, { getSupportedMethods: counted('getSupportedMethods', supportedMethods) });
    next.addService(StreamsService, {
      read: counted('read', read(log, shutdown.signal)),
      append: counted('append', append(log, maxAppendSize)),
      batchAppend: counted('batchAppend', batchAppend(log, maxAppendSize)),
      delete: counted('delete', deleteStream(log)),
      tombstone: counted('tombstone', tombstoneStream(log)),
    });
    port = await new Promise<number>((resolve, reject) =>
      next.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    server = next;
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get connectionString() {
      return `esdb://127.0.0.1:${port}?tls=false`;
    },
    log,
    calls,
    get running() {
      return server !== null;
    },
    async stop() {
      if (!server) return;
      shutdown.abort();
      server.forceShutdown();
      server = null;
    },
    async start() {
      if (!server) await listen();
    },
  };
}
