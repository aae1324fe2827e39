import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { request } from '../support/http';
import { type ServiceProcess, spawnService } from '../support/service-process';
import { closedPort } from '../support/smtp/peers';
import { webhookSecret, WebhookReceiver } from '../support/webhooks/webhook-receiver';

/**
 * The service as a real process, SIGKILLed while webhooks wait in its queue (the receiver is
 * failing) and right after the last command was acknowledged (its events may not be queued yet).
 * Started again on the same DATA_DIR, it delivers every one of them.
 */
const API_TOKEN = `wr-api-${randomBytes(16).toString('hex')}`;
const SUPPORT_TOKEN = `wr-support-${randomBytes(16).toString('hex')}`;
const TENANTS = 6;

describe('webhooks across a crash of the service (a real process)', () => {
  const secret = webhookSecret();
  let receiver: WebhookReceiver;
  let dataDir: string;
  let env: Record<string, string>;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    dataDir = mkdtempSync(join(tmpdir(), 'mcs-webhooks-restart-'));
    env = {
      DATA_DIR: dataDir,
      API_TOKEN,
      SUPPORT_TOKEN,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      WEBHOOK_URL: receiver.url,
      WEBHOOK_SECRET: secret,
      WEBHOOK_RETRY_SCHEDULE: Array(30).fill('300ms').join(','),
      WEBHOOK_TIMEOUT: '1s',
      // The loopback receiver, and a closed loopback port as the tenants' SMTP server.
      SMTP_ALLOW_PRIVATE_HOSTS: 'true',
      SMTP_ALLOWED_PORTS: String(await closedPort()),
    };
  });
  afterAll(async () => {
    for (const s of services) s.kill();
    await Promise.all(services.map((s) => s.exited));
    await receiver?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async () => services[services.push(await spawnService(env, 60_000)) - 1];
  const call = (s: ServiceProcess, method: string, path: string, body?: unknown, token = API_TOKEN) =>
    request(method, s.url + path, { token, body });

  it('delivers every webhook once after a SIGKILL, none lost', async () => {
    let down = true;
    receiver.answer(() => (down ? 503 : undefined));
    const first = await start();
    const port = Number(env.SMTP_ALLOWED_PORTS);
    const tenants = Array.from({ length: TENANTS }, (_, i) => `wr-${randomBytes(3).toString('hex')}-${i}`);
    for (const [i, tenant] of tenants.entries()) {
      expect((await call(first, 'POST', `/v1/tenants/${tenant}/mail-config`, { username: `wr${i}` })).status).toBe(201);
      const smtp = { address: `help@${tenant}.example`, password: 'pw', host: '127.0.0.1', port };
      expect((await call(first, 'PUT', `/v1/tenants/${tenant}/mail-config/smtp`, smtp)).status).toBe(200);
      const tested = await call(first, 'POST', `/v1/tenants/${tenant}/mail-config/smtp/test`);
      expect(tested.body).toMatchObject({ ok: false, stage: 'connect' });
      // The first tenants' webhooks are queued and failing before the later tenants act.
      if (i === 1) await receiver.until(() => receiver.of(tenants[0]).length > 0);
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const attemptedBeforeCrash = new Set(receiver.received.map((w) => w.id));
    expect(attemptedBeforeCrash.size).toBeGreaterThan(0);

    down = false;
    const second = await start();
    const delivered = await receiver.until(() => {
      const ok = tenants.map((t) => receiver.of(t, 'mail_config.smtp_test_failed').find((w) => w.answered === 204));
      return ok.every(Boolean) ? ok.map((w) => w!) : undefined;
    }, 60_000);
    for (const w of delivered) expect(() => new Webhook(secret).verify(w.body, w.headers)).not.toThrow();

    // Settled: nothing pending any more, so the counts below are final.
    for (let i = 0; ; i++) {
      const pending = await call(second, 'GET', '/v1/webhooks/deliveries?status=pending', undefined, SUPPORT_TOKEN);
      if (pending.body.deliveries.length === 0) break;
      if (i > 200) throw new Error('deliveries still pending');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const listed = await call(second, 'GET', '/v1/webhooks/deliveries?limit=500', undefined, SUPPORT_TOKEN);
    expect(listed.body.deliveries).toHaveLength(TENANTS);
    for (const [i, tenant] of tenants.entries()) {
      const history = await call(second, 'GET', `/v1/tenants/${tenant}/mail-config/history`);
      const tested = history.body.events.find((e: { type: string }) => e.type === 'SmtpConnectionTested');
      // One webhook per event, with the event's id, answered 2xx exactly once.
      const got = receiver.of(tenant);
      expect(new Set(got.map((w) => w.id))).toEqual(new Set([`msg_${tested.eventId}`]));
      expect(got.filter((w) => w.answered === 204)).toHaveLength(1);
      expect(delivered[i].payload).toMatchObject({
        type: 'mail_config.smtp_test_failed',
        data: { tenantId: tenant, eventId: tested.eventId, stage: 'connect' },
      });
    }
  }, 180_000);
});
