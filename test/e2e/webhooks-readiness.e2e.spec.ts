import { randomUUID } from 'node:crypto';
import { EVENT_STORE, type EventStore } from '../../src/application/ports/event-store.port';
import {
  WEBHOOK_DELIVERY_STORE,
  type WebhookDeliveryStore,
} from '../../src/application/ports/webhook-delivery-store.port';
import { eventually } from '../browser/dashboard-fixtures';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { webhookSecret, WebhookReceiver } from '../support/webhooks/webhook-receiver';

/**
 * /health/ready shows the webhook feed (event store → webhook queue) under `checks.webhookFeed`:
 * caught up, stopped (its queue failing) and behind (its queue hanging while an old event waits).
 * The feed is reported but does not decide readiness: the instance stays 200 `ready` throughout.
 * The queue's failures are injected at the store adapter of the running service.
 */
describe('readiness reports the webhook feed', () => {
  let receiver: WebhookReceiver;
  let svc: TestService;
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    svc = await startTestService({
      env: { WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: webhookSecret(), WEBHOOK_RETRY_SCHEDULE: '100ms' },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await receiver?.close();
  });

  const queue = () => svc.running.app.get<WebhookDeliveryStore>(WEBHOOK_DELIVERY_STORE);
  const events = () => svc.running.app.get<EventStore>(EVENT_STORE);
  const ready = () => svc.anonymous.get('/health/ready');
  /** The next readiness answer whose webhook feed check satisfies `holds` (the feed moves asynchronously). */
  const readyWhen = (holds: (feed: any, body: any) => boolean, what: string) =>
    eventually(
      async () => {
        const res = await ready();
        return holds(res.body.checks.webhookFeed, res.body) ? res : undefined;
      },
      15_000,
      what,
    );
  const provisionAndActivate = async () => {
    const tenant = uniqueTenant('ready');
    expect((await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: tenant.toLowerCase() })).status).toBe(
      201,
    );
    const smtp = {
      address: 'help@acme.example',
      host: 'localhost',
      port: 2525,
      security: 'starttls',
      password: 'not-used-here',
      activate: true,
      force: true,
    };
    expect((await svc.api.put(`/v1/tenants/${tenant}/mail-config/smtp`, smtp)).status).toBe(200);
    return tenant;
  };

  it('shows the feed caught up beside the contract’s checks once its webhooks are queued', async () => {
    const tenant = await provisionAndActivate();
    await receiver.until(() => receiver.of(tenant, 'mail_config.mode_changed').length === 1);
    const res = await readyWhen((feed) => feed?.detail.state === 'caught_up', 'feed caught up');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ready');
    expect(Object.keys(res.body).sort()).toEqual(['checks', 'status']);
    expect(res.body.checks.eventStore.ok).toBe(true);
    expect(res.body.checks.projections.ok).toBe(true);
    expect(res.body.checks.webhookFeed).toEqual({
      ok: true,
      required: false,
      detail: {
        state: 'caught_up',
        role: 'active',
        checkpoint: expect.stringMatching(/^\d+$/),
        head: expect.stringMatching(/^\d+$/),
        lagMs: 0,
        maxLagMs: 5000,
        caughtUp: true,
      },
    });
  });

  it('reports a feed whose queue fails as stopped, with why, and stays ready; then caught up again', async () => {
    const store = queue();
    const enqueue = store.enqueue.bind(store);
    store.enqueue = () => Promise.reject(new Error('webhook queue refused the batch (test)'));
    let tenant = '';
    try {
      tenant = await provisionAndActivate();
      const res = await readyWhen(
        (feed, body) => feed?.detail.state === 'stopped' && body.checks.projections.ok,
        'feed stopped, projections caught up',
      );
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('ready');
      expect(res.body.checks.webhookFeed).toMatchObject({
        ok: false,
        required: false,
        detail: { state: 'stopped', role: 'active', error: 'webhook queue refused the batch (test)' },
      });
      const { checkpoint, head } = res.body.checks.webhookFeed.detail;
      expect(BigInt(checkpoint)).toBeLessThan(BigInt(head));
      expect(receiver.of(tenant)).toEqual([]);
    } finally {
      store.enqueue = enqueue;
    }
    await receiver.until(() => receiver.of(tenant, 'mail_config.mode_changed').length === 1);
    const back = await readyWhen((feed) => feed?.detail.state === 'caught_up', 'feed caught up again');
    expect(back.body.checks.webhookFeed.ok).toBe(true);
    expect(back.body.checks.webhookFeed.detail.error).toBeUndefined();
  });

  it('reports a feed stuck behind an event older than the threshold as behind, by how much, and stays ready', async () => {
    const store = queue();
    const enqueue = store.enqueue.bind(store);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    store.enqueue = async (...args) => {
      await gate;
      return enqueue(...args);
    };
    try {
      const t = uniqueTenant('old');
      await events().appendToStream(
        `mailConfig-${t}`,
        [
          {
            eventId: randomUUID(),
            type: 'MailConfigProvisioned',
            data: { tenantId: t, username: t.toLowerCase(), defaultAddress: `support.${t}@smemetrics-email.com` },
            metadata: { actor: 'x', correlationId: randomUUID(), at: new Date(Date.now() - 60_000).toISOString() },
          },
        ],
        { expectedVersion: 'no_stream' },
      );
      const res = await readyWhen(
        (feed, body) => feed?.detail.state === 'behind' && body.checks.projections.ok,
        'feed behind, projections caught up',
      );
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('ready');
      expect(res.body.checks.webhookFeed).toMatchObject({ ok: false, required: false, detail: { state: 'behind' } });
      expect(res.body.checks.webhookFeed.detail.lagMs).toBeGreaterThanOrEqual(60_000);
      expect(res.body.checks.webhookFeed.detail.error).toBeUndefined();
    } finally {
      release();
      store.enqueue = enqueue;
    }
    const back = await readyWhen((feed) => feed?.detail.state === 'caught_up', 'feed caught up again');
    expect(back.body.checks.webhookFeed.detail.lagMs).toBe(0);
  });
});

describe('readiness without webhooks', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('has no webhook feed check', async () => {
    const res = await svc.anonymous.get('/health/ready');
    expect(res.body.checks.eventStore).toBeDefined();
    expect(res.body.checks.webhookFeed).toBeUndefined();
  });
});
