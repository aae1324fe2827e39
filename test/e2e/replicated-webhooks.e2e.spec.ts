import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { type EsdbServer, startEsdbServer } from '../support/esdb/esdb-server';
import { request } from '../support/http';
import { sample } from '../support/metrics';
import { createTestDatabase, type TestDatabase } from '../support/postgres/database';
import { type ServiceProcess, spawnService } from '../support/service-process';
import { closedPort } from '../support/smtp/peers';
import { webhookSecret, WebhookReceiver } from '../support/webhooks/webhook-receiver';

/**
 * Two instances of the replicated shape (EventStoreDB test server + PostgreSQL), both running
 * the webhook feed's campaign and a dispatcher on the shared queue. Commands go to either; the
 * receiver fails each webhook's first attempt, so the retry may be claimed by either instance.
 * Every webhook still reaches the receiver exactly twice: once refused, once delivered.
 */
const API_TOKEN = `rw-api-${randomBytes(16).toString('hex')}`;
const SUPPORT_TOKEN = `rw-support-${randomBytes(16).toString('hex')}`;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const TENANTS = 12;

describe('the replicated shape: two instances deliver each webhook once (real processes)', () => {
  const secret = webhookSecret();
  let esdb: EsdbServer;
  let database: TestDatabase;
  let receiver: WebhookReceiver;
  let port: number;
  const instances: Array<{ service: ServiceProcess; dataDir: string }> = [];

  beforeAll(async () => {
    [esdb, database, receiver] = await Promise.all([
      startEsdbServer(),
      createTestDatabase('replicated_webhooks'),
      WebhookReceiver.start(),
    ]);
    port = await closedPort();
    // One after the other: two processes compiling at once on a loaded machine starve each other.
    for (const name of ['a', 'b']) {
      const dataDir = mkdtempSync(join(tmpdir(), `mcs-replicated-webhooks-${name}-`));
      const service = await spawnService(
        {
          DATA_DIR: dataDir,
          EVENTSTORE_CONNECTION_STRING: esdb.connectionString,
          DATABASE_URL: database.url,
          ENCRYPTION_KEY,
          API_TOKEN,
          SUPPORT_TOKEN,
          NODE_ENV: 'production',
          LOG_LEVEL: 'info',
          WEBHOOK_URL: receiver.url,
          WEBHOOK_SECRET: secret,
          WEBHOOK_RETRY_SCHEDULE: '200ms,200ms,200ms',
          WEBHOOK_TIMEOUT: '2s',
          SMTP_ALLOW_PRIVATE_HOSTS: 'true',
          SMTP_ALLOWED_PORTS: String(port),
        },
        60_000,
      );
      instances.push({ service, dataDir });
    }
  }, 180_000);

  afterAll(async () => {
    for (const i of instances) i.service.kill();
    await Promise.all(instances.map((i) => i.service.exited));
    await Promise.all([esdb?.stop(), database?.drop(), receiver?.close()]);
    for (const i of instances) rmSync(i.dataDir, { recursive: true, force: true });
  });

  const call = (n: number, method: string, path: string, body?: unknown, token = API_TOKEN) =>
    request(method, instances[n % instances.length].service.url + path, { token, body });

  it('delivers every webhook exactly once whichever instance recorded its event', async () => {
    const firstAttempts = new Set<string>();
    receiver.answer((w) => {
      if (firstAttempts.has(w.id)) return undefined;
      firstAttempts.add(w.id);
      return 503;
    });
    const tenants = Array.from({ length: TENANTS }, (_, i) => `rw-${randomBytes(3).toString('hex')}-${i}`);
    await Promise.all(
      tenants.map(async (tenant, i) => {
        expect((await call(i, 'POST', `/v1/tenants/${tenant}/mail-config`, { username: `rw${i}` })).status).toBe(201);
        const smtp = { address: `help@${tenant}.example`, password: 'pw', host: '127.0.0.1', port };
        expect((await call(i + 1, 'PUT', `/v1/tenants/${tenant}/mail-config/smtp`, smtp)).status).toBe(200);
        const tested = await call(i, 'POST', `/v1/tenants/${tenant}/mail-config/smtp/test`);
        expect(tested.body).toMatchObject({ ok: false, stage: 'connect' });
      }),
    );

    await receiver.until(() => tenants.every((t) => receiver.of(t).some((w) => w.answered === 204)), 60_000);
    // Settled: nothing pending in the shared queue, as either instance lists it.
    for (let i = 0; ; i++) {
      const pending = await call(i, 'GET', '/v1/webhooks/deliveries?status=pending', undefined, SUPPORT_TOKEN);
      expect(pending.status).toBe(200);
      if (pending.body.deliveries.length === 0) break;
      if (i > 200) throw new Error('deliveries still pending');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const tenant of tenants) {
      const got = receiver.of(tenant);
      expect(got.map((w) => w.answered)).toEqual([503, 204]);
      expect(new Set(got.map((w) => w.id)).size).toBe(1);
      expect(got[0].payload).toMatchObject({ type: 'mail_config.smtp_test_failed', data: { tenantId: tenant } });
      for (const w of got) expect(() => new Webhook(secret).verify(w.body, w.headers)).not.toThrow();
    }
    const listed = await call(1, 'GET', '/v1/webhooks/deliveries?status=delivered&limit=500', undefined, SUPPORT_TOKEN);
    const ours = listed.body.deliveries.filter((d: { tenantId: string }) => tenants.includes(d.tenantId));
    expect(ours).toHaveLength(TENANTS);
    for (const d of ours) expect(d).toMatchObject({ status: 'delivered', attempts: 2 });
    // Counted where they were made: no attempt was made twice, by one instance or by both.
    const attempts = await Promise.all(
      instances.map(async (i) => {
        const text = (await request('GET', `${i.service.url}/metrics`)).text;
        return ['delivered', 'rejected'].map((outcome) =>
          sample(text, 'mail_config_webhook_attempts_total', { outcome }),
        );
      }),
    );
    expect(attempts.reduce(([d, r], [d2, r2]) => [d + d2, r + r2], [0, 0])).toEqual([TENANTS, TENANTS]);
    // Readiness shows the one feed: active on one instance, standby on the other, both on the shared checkpoint.
    const feeds = await Promise.all(
      instances.map(async (i) => (await request('GET', `${i.service.url}/health/ready`)).body.checks.webhookFeed),
    );
    expect(feeds.map((f) => f.detail.role).sort()).toEqual(['active', 'standby']);
    expect(feeds.map((f) => f.detail.state).sort()).toEqual(['caught_up', 'standby']);
    for (const f of feeds) expect(f).toMatchObject({ ok: true, required: false, detail: { lagMs: 0 } });
  }, 120_000);
});
