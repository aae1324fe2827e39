import { type EsdbServer, startEsdbServer } from './esdb-server';

/**
 * The event store for one e2e service instance when E2E_STORE=esdb (see ../store-under-test.ts):
 * a fresh gRPC test server, so the service talks to it through an ordinary
 * `esdb://127.0.0.1:<port>?tls=false` connection string, exactly as it would to a real node.
 * The server lives as long as the test service (restarts included) and is stopped on release.
 *
 * E2E_ESDB_APPEND=append makes it not advertise BatchAppend, so the client takes the older
 * Append path (the contract suite covers both paths in every run; this is for debugging).
 */
export interface FakeEventStoreForE2e {
  env: { EVENTSTORE_CONNECTION_STRING: string };
  server: EsdbServer;
  release(): Promise<void>;
}

export async function startFakeEventStoreForE2e(): Promise<FakeEventStoreForE2e> {
  const server = await startEsdbServer({ port: 0, advertiseBatchAppend: process.env.E2E_ESDB_APPEND !== 'append' });
  return {
    env: { EVENTSTORE_CONNECTION_STRING: server.connectionString },
    server,
    release: () => server.stop(),
  };
}
