import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EsdbServer, startEsdbServer } from '../support/esdb/esdb-server';
import { request } from '../support/http';
import { createTestDatabase, type TestDatabase } from '../support/postgres/database';
import { type PostgresOutage, relayTo } from '../support/postgres/proxy';
import { signJwt } from '../security/hostile';
import { type ServiceProcess, spawnService } from '../support/service-process';
import { testCertificates } from '../support/smtp/certs';
import { type Peer, PEER_PASSWORD, PEER_USER, startSmtpPeer } from '../support/smtp/peers';

/**
 * The replicated shape (EVENTSTORE_CONNECTION_STRING + DATABASE_URL) as operators run it, in its
 * own process: the tenants' data keys live in PostgreSQL, so a secret saved by one process is
 * usable by the next one on an empty DATA_DIR, and nothing about keys is written to DATA_DIR.
 */

const API_TOKEN = `repl-api-${randomBytes(12).toString('hex')}`;
const SUPPORT_TOKEN = `repl-support-${randomBytes(12).toString('hex')}`;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const SPAWN_TIMEOUT_MS = 60_000;
/** What the embedded and single-node shapes keep in DATA_DIR about keys and secrets. */
const KEY_FILES = ['keys.db', 'keys.db-wal', 'keys.db-shm', 'master.key', 'api-token', 'support-token'];

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the replicated shape: data keys in PostgreSQL (real processes)', () => {
  const tenant = `repl-${randomBytes(4).toString('hex')}`;
  const dataDirs: string[] = [];
  let esdb: EsdbServer;
  let database: TestDatabase;
  let relay: PostgresOutage;
  let peer: Peer;
  let service: ServiceProcess | undefined;

  const start = async (overrides: Record<string, string | undefined> = {}) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mcs-replicated-'));
    dataDirs.push(dataDir);
    const env: Record<string, string | undefined> = {
      DATA_DIR: dataDir,
      EVENTSTORE_CONNECTION_STRING: esdb.connectionString,
      DATABASE_URL: relay.url,
      ENCRYPTION_KEY,
      API_TOKEN,
      SUPPORT_TOKEN,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      SMTP_ALLOW_PRIVATE_HOSTS: 'true',
      SMTP_ALLOWED_PORTS: String(peer.port),
      SMTP_EXTRA_CA_FILE: testCertificates().caFile,
      ...overrides,
    };
    const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
    service = await spawnService(given, SPAWN_TIMEOUT_MS);
    return { service, dataDir };
  };
  const stop = async () => {
    service!.child.kill('SIGTERM');
    expect((await service!.exited).code).toBe(0);
    service = undefined;
  };
  const call = (method: string, path: string, body?: unknown, token: string | null = API_TOKEN) =>
    request(method, service!.url + path, { token, body });

  beforeAll(async () => {
    [esdb, database, peer] = await Promise.all([startEsdbServer(), createTestDatabase('replicated'), startSmtpPeer()]);
    relay = await relayTo(database.url);
  });
  afterAll(async () => {
    service?.kill();
    await relay?.close();
    await Promise.all([esdb?.stop(), peer?.close(), database?.drop()]);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'uses a secret saved by one process from another on an empty DATA_DIR: the key comes from PostgreSQL alone',
    async () => {
      const first = await start();
      expect((await call('POST', `/v1/tenants/${tenant}/mail-config`, { username: 'acme' })).status).toBe(201);
      const saved = await call('PUT', `/v1/tenants/${tenant}/mail-config/smtp`, {
        address: 'help@acme.example',
        password: PEER_PASSWORD,
        host: 'localhost',
        port: peer.port,
        security: 'starttls',
        username: PEER_USER,
        activate: true,
      });
      expect(saved.status).toBe(200);
      await stop();

      const second = await start();
      const logins = peer.logins.length;
      const tested = await call('POST', `/v1/tenants/${tenant}/mail-config/smtp/test`);
      expect(tested.status).toBe(200);
      expect(tested.body).toMatchObject({ ok: true, stage: 'done' });
      // The peer checked the password: the secret was opened with the data key from PostgreSQL.
      expect(peer.logins.slice(logins)).toEqual([{ user: PEER_USER, ok: true }]);

      for (const dir of [first.dataDir, second.dataDir]) {
        expect(readdirSync(dir).filter((f) => KEY_FILES.includes(f))).toEqual([]);
      }
      const started = second.service.stdout.map((l) => JSON.parse(l).msg as string);
      expect(started.filter((m) => /master key kept in|generated into|backed-up volume/.test(m))).toEqual([]);
      expect(started).toContainEqual(
        expect.stringMatching(/listening on .* \(EventStoreDB store, PostgreSQL 127\.0\.0\.1:\d+\/replicated_/),
      );
    },
    3 * SPAWN_TIMEOUT_MS,
  );

  it(
    'is not ready, naming the database, within 2 s of PostgreSQL going away, and ready again when it is back',
    async () => {
      if (!service) await start();
      const ready = () => call('GET', '/health/ready', undefined, null);
      expect((await ready()).body.checks.database).toMatchObject({ ok: true });

      const eventsBefore = (await call('GET', `/v1/tenants/${tenant}/mail-config/history`)).body.events.map(
        (e: { type: string }) => e.type,
      );
      expect(eventsBefore).toContain('SmtpConfigured');
      await relay.cut();
      const started = Date.now();
      const down = await ready();
      expect(Date.now() - started).toBeLessThan(2500);
      expect(down.status).toBe(503);
      expect(down.body.status).toBe('not_ready');
      expect(down.body.checks.database).toMatchObject({ ok: false, detail: { error: expect.any(String) } });
      expect(down.body.checks.eventStore).toMatchObject({ ok: true });
      expect(JSON.stringify(down.body)).not.toContain(new URL(database.url).password);
      // Commands that need a data key answer 503 with a problem, and record nothing.
      for (const res of [
        await call('PUT', `/v1/tenants/${tenant}/mail-config/smtp`, {
          address: 'help@acme.example',
          password: 'a-new-password',
          host: 'localhost',
          port: peer.port,
        }),
        await call('POST', `/v1/tenants/${tenant}/mail-config/smtp/test`),
      ]) {
        expect(res.status).toBe(503);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(res.body).toMatchObject({ type: expect.stringMatching(/database-unavailable$/), status: 503 });
      }
      const history = await call('GET', `/v1/tenants/${tenant}/mail-config/history`);
      expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(eventsBefore);

      await relay.restore();
      const back = await eventually('ready again', async () => {
        const res = await ready();
        return res.status === 200 ? res : undefined;
      });
      expect(back.body.checks.database).toMatchObject({ ok: true });
      // And it works again without a restart: the saved secret opens.
      expect((await call('POST', `/v1/tenants/${tenant}/mail-config/smtp/test`)).body).toMatchObject({ stage: 'done' });
    },
    2 * SPAWN_TIMEOUT_MS,
  );

  it(
    'starts without API_TOKEN and SUPPORT_TOKEN when JWTs are configured, generating none',
    async () => {
      if (service) await stop();
      const secret = `jwt-${randomBytes(24).toString('hex')}`;
      const { dataDir } = await start({ API_TOKEN: undefined, SUPPORT_TOKEN: undefined, JWT_SECRET: secret });
      const said = service!.stdout.map((l) => JSON.parse(l).msg as string);
      expect(said).toEqual(
        expect.arrayContaining([
          'API token not set: those callers sign in with JWTs only',
          'support token not set: those callers sign in with JWTs only',
        ]),
      );
      const jwt = signJwt({ tenant }, { alg: 'HS256', secret });
      expect((await call('GET', `/v1/tenants/${tenant}/mail-config`, undefined, jwt)).status).toBe(200);
      // The token of the earlier runs is nobody's now.
      expect((await call('GET', `/v1/tenants/${tenant}/mail-config`)).status).toBe(401);
      expect(readdirSync(dataDir).filter((f) => KEY_FILES.includes(f))).toEqual([]);
    },
    2 * SPAWN_TIMEOUT_MS,
  );
});
