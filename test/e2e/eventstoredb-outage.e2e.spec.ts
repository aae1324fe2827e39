import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EsdbServer, startEsdbServer } from '../support/esdb/esdb-server';
import { type HttpResponse, request } from '../support/http';
import { type ServiceProcess, spawnService } from '../support/service-process';

/**
 * The service as operators run it (its own process) on EventStoreDB, here the gRPC test server,
 * while the store goes away and comes back: not ready and 503 meanwhile, never a crash, and
 * back to work, projections included, without a restart.
 */

const API_TOKEN = `outage-api-${randomBytes(12).toString('hex')}`;
const SUPPORT_TOKEN = `outage-support-${randomBytes(12).toString('hex')}`;
/** Compiling the service at spawn is slow on a loaded machine; the tests themselves are not. */
const SPAWN_TIMEOUT_MS = 60_000;
const tenantId = (name: string) => `${name}-${randomBytes(4).toString('hex')}`;

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the service on EventStoreDB while the store goes away and comes back (real process)', () => {
  let dataDir: string;
  let server: EsdbServer;
  let service: ServiceProcess;
  const call = (method: string, path: string, body?: unknown, token: string | null = API_TOKEN) =>
    request(method, service.url + path, { token, body });
  const ready = () => call('GET', '/health/ready', undefined, null);
  const dashboardHas = async (tenant: string) => {
    const res = await call('GET', `/v1/dashboard/tenants?q=${tenant}`, undefined, SUPPORT_TOKEN);
    return res.body?.tenants?.some((t: { tenantId: string }) => t.tenantId === tenant) ? true : undefined;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcs-esdb-outage-'));
    server = await startEsdbServer();
    service = await spawnService(
      {
        DATA_DIR: dataDir,
        API_TOKEN,
        SUPPORT_TOKEN,
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        EVENTSTORE_CONNECTION_STRING: server.connectionString,
      },
      SPAWN_TIMEOUT_MS,
    );
  }, SPAWN_TIMEOUT_MS + 10_000);
  afterAll(async () => {
    service?.kill();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 and is not ready while the store is down, and recovers by itself when it is back', async () => {
    const before = tenantId('before');
    expect((await call('POST', `/v1/tenants/${before}/mail-config`, { username: 'before' })).status).toBe(201);
    await eventually('the dashboard shows the first tenant', () => dashboardHas(before));
    expect((await ready()).status).toBe(200);

    await server.stop();

    // Readiness says so quickly (well inside a probe's timeout) and names the event store.
    let started = Date.now();
    const notReady = await ready();
    expect(Date.now() - started).toBeLessThan(2500);
    expect(notReady.status).toBe(503);
    expect(notReady.body.status).toBe('not_ready');
    expect(notReady.body.checks.eventStore).toMatchObject({
      ok: false,
      detail: { error: expect.stringMatching(/EventStoreDB/) },
    });

    // Commands (and reads of the stream) fail fast with a clear, secret-free problem.
    const during = tenantId('during');
    started = Date.now();
    const refused: HttpResponse[] = [
      await call('POST', `/v1/tenants/${during}/mail-config`, { username: 'during' }),
      await call('PUT', `/v1/tenants/${before}/mail-config/smtp`, {
        address: 'help@before.example',
        password: 'Outage-Pa55word',
        host: 'smtp.before.example',
        port: 587,
      }),
      await call('GET', `/v1/tenants/${before}/mail-config`),
    ];
    expect(Date.now() - started).toBeLessThan(5000);
    for (const res of refused) {
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.body).toMatchObject({
        type: expect.stringMatching(/event-store-unavailable$/),
        title: 'Event store unavailable',
        status: 503,
      });
      expect(res.text).not.toMatch(/Outage-Pa55word|\bat \w+ \(|UNAVAILABLE/);
    }
    expect((await call('GET', '/health/live', undefined, null)).status).toBe(200);

    // Long enough for the projection runner to fail and retry its subscription a few times.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(service.child.exitCode).toBeNull();
    expect((await ready()).status).toBe(503);

    await server.start();

    // Back without a restart: ready again (projections resubscribed and caught up), commands work.
    await eventually('ready again', async () => ((await ready()).status === 200 ? true : undefined));
    const after = tenantId('after');
    expect((await call('POST', `/v1/tenants/${after}/mail-config`, { username: 'after' })).status).toBe(201);
    const smtp = await call('PUT', `/v1/tenants/${before}/mail-config/smtp`, {
      address: 'help@before.example',
      password: 'Outage-Pa55word',
      host: 'smtp.before.example',
      port: 587,
      activate: true,
      // Nothing answers for this host: activated without the Test.
      force: true,
    });
    expect(smtp.status).toBe(200);
    expect(smtp.body).toMatchObject({ mode: 'smtp', version: 3 });
    // The live subscription delivers what was written after the outage.
    await eventually('the dashboard shows the tenant provisioned after the outage', () => dashboardHas(after));
    const history = await call('GET', `/v1/tenants/${before}/mail-config/history`);
    expect(history.body.events.map((e: { type: string; version: number }) => [e.version, e.type])).toEqual([
      [1, 'MailConfigProvisioned'],
      [2, 'SmtpConfigured'],
      [3, 'ModeChanged'],
    ]);
    expect((await call('GET', `/v1/tenants/${during}/mail-config`)).status).toBe(404);
    expect(service.child.exitCode).toBeNull();
    expect(service.stderr.join('\n')).not.toMatch(/unhandled|uncaught/i);
  }, 60_000);
});

describe('the service started before EventStoreDB is up (real process)', () => {
  let dataDir: string;
  let server: EsdbServer | undefined;
  let service: ServiceProcess | undefined;
  afterAll(async () => {
    service?.kill();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  // As with a compose file that starts both at once: the service must come up and wait, not exit.
  it(
    'listens and reports not ready, then becomes ready and takes commands once the store appears',
    async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'mcs-esdb-late-'));
      server = await startEsdbServer();
      await server.stop();
      service = await spawnService(
        {
          DATA_DIR: dataDir,
          API_TOKEN,
          SUPPORT_TOKEN,
          NODE_ENV: 'production',
          EVENTSTORE_CONNECTION_STRING: server.connectionString,
        },
        SPAWN_TIMEOUT_MS,
      );
      const url = service.url;
      const notReady = await request('GET', `${url}/health/ready`);
      expect(notReady.status).toBe(503);
      expect(notReady.body.checks.eventStore.ok).toBe(false);

      await server.start();
      await eventually('ready once the store is up', async () =>
        (await request('GET', `${url}/health/ready`)).status === 200 ? true : undefined,
      );
      const tenant = tenantId('late');
      expect(
        (
          await request('POST', `${url}/v1/tenants/${tenant}/mail-config`, {
            token: API_TOKEN,
            body: { username: 'late' },
          })
        ).status,
      ).toBe(201);
      await eventually('the dashboard shows the tenant', async () => {
        const res = await request('GET', `${url}/v1/dashboard/tenants?q=${tenant}`, { token: SUPPORT_TOKEN });
        return res.body?.tenants?.length === 1 ? true : undefined;
      });
      expect(service.child.exitCode).toBeNull();
    },
    SPAWN_TIMEOUT_MS + 40_000,
  );
});
