import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { startTestService, type TestService } from '../support/app';
import { GmailHarness } from '../support/google/gmail-harness';
import { sample } from '../support/metrics';
import { webhookSecret, WebhookReceiver } from '../support/webhooks/webhook-receiver';

/**
 * Webhooks to the main application through a loopback receiver: Standard Webhooks framing and
 * signature, retries with the same webhook-id, the dead letter and its replay by support.
 * The retry schedule is shortened so the whole schedule runs in about a second.
 */
describe('webhooks to the main application', () => {
  const secret = webhookSecret();
  let receiver: WebhookReceiver;
  let h: GmailHarness;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    h = await GmailHarness.start({
      env: {
        WEBHOOK_URL: receiver.url,
        WEBHOOK_SECRET: secret,
        WEBHOOK_RETRY_SCHEDULE: '100ms,100ms,100ms,100ms,100ms,100ms',
        WEBHOOK_TIMEOUT: '2s',
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  const deliveries = async (query = '') => {
    const res = await h.svc.support.get(`/v1/webhooks/deliveries?limit=500${query}`);
    expect(res.status).toBe(200);
    return res.body.deliveries as Array<Record<string, any>>;
  };
  const deliveryOf = async (id: string) => (await deliveries()).find((d) => d.id === id);
  /** Waits until nothing of this tenant is pending, so no later attempt can change the counts. */
  const settled = async (tenant: string) => {
    for (let i = 0; i < 200; i++) {
      const pending = (await deliveries('&status=pending')).filter((d) => d.tenantId === tenant);
      if (pending.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`deliveries of ${tenant} still pending`);
  };

  it('tells the main application once, with a verifiable signature, that Google revoked a tenant’s consent', async () => {
    const tenant = await h.provisioned('wh');
    await h.authorize(tenant);
    h.google.revokeAccess();
    const sent = await h.send(tenant);
    expect(sent.body).toMatchObject({ mode: 'default', fallback: { from: 'gmail', reason: 'grant_revoked' } });

    const [revoked] = await receiver.until(() => {
      const got = receiver.of(tenant, 'mail_config.consent_revoked');
      return got.length > 0 ? got : undefined;
    });
    // The library of the Standard Webhooks authors verifies id, timestamp and signature.
    const verified = new Webhook(secret).verify(revoked.body, revoked.headers);
    expect(verified).toEqual(JSON.parse(revoked.body));
    expect(revoked.headers['content-type']).toBe('application/json');
    const event = (await h.history(tenant)).find((e) => e.type === 'ConsentRevoked')! as unknown as {
      eventId: string;
      at: string;
    };
    expect(revoked.id).toBe(`msg_${event.eventId}`);
    expect(revoked.payload).toEqual({
      type: 'mail_config.consent_revoked',
      timestamp: event.at,
      data: {
        tenantId: tenant,
        eventId: event.eventId,
        occurredAt: event.at,
        summary: 'Gmail consent for owner@acme-mail.test was revoked at Google',
        provider: 'gmail',
        reason: 'revoked_at_google',
        account: 'owner@acme-mail.test',
      },
    });
    // A signature made with another secret is refused: the check above could fail.
    expect(() => new Webhook(webhookSecret()).verify(revoked.body, revoked.headers)).toThrow();
    // Nothing secret travels: no token, ciphertext or key id.
    for (const w of receiver.of(tenant)) expect(w.body).not.toMatch(/ciphertext|keyId|refresh|1\/\/0g/);

    await settled(tenant);
    expect(receiver.of(tenant, 'mail_config.consent_revoked')).toHaveLength(1);
    expect(await deliveryOf(revoked.id)).toMatchObject({
      status: 'delivered',
      attempts: 1,
      type: revoked.payload.type,
    });
    // The mode fell back to the default address: told as well, with its reason.
    expect(receiver.of(tenant, 'mail_config.mode_changed').map((w) => w.payload.data)).toContainEqual(
      expect.objectContaining({ from: 'gmail', to: 'default', reason: 'consent_revoked' }),
    );
    expect(receiver.of(tenant, 'mail_config.gmail_authorized')).toHaveLength(1);
  });

  it('retries a receiver that fails five times and delivers once, with the same webhook-id on every attempt', async () => {
    const tenant = await h.provisioned('wh');
    receiver.failFirst(
      5,
      (w) => w.payload.data.tenantId === tenant && w.payload.type === 'mail_config.gmail_authorized',
    );
    const before = await h.svc.support.get('/metrics');
    await h.authorize(tenant);

    const delivered = await receiver.until(() =>
      receiver.of(tenant, 'mail_config.gmail_authorized').find((w) => w.answered === 204),
    );
    const attempts = receiver.of(tenant, 'mail_config.gmail_authorized');
    expect(attempts.map((w) => w.answered)).toEqual([500, 500, 500, 500, 500, 204]);
    expect(new Set(attempts.map((w) => w.id))).toEqual(new Set([delivered.id]));
    // The body is the same bytes every time; each attempt is signed afresh.
    expect(new Set(attempts.map((w) => w.body)).size).toBe(1);
    for (const w of attempts) expect(() => new Webhook(secret).verify(w.body, w.headers)).not.toThrow();

    await settled(tenant);
    expect(receiver.of(tenant, 'mail_config.gmail_authorized')).toHaveLength(6);
    expect(await deliveryOf(delivered.id)).toMatchObject({
      status: 'delivered',
      attempts: 6,
      lastError: null,
      lastStatusCode: 204,
    });
    const after = await h.svc.support.get('/metrics');
    const rejected = (text: string) => sample(text, 'mail_config_webhook_attempts_total', { outcome: 'rejected' });
    expect(rejected(after.text) - rejected(before.text)).toBe(5);
  });

  it('lists a delivery whose receiver stayed down past the retry schedule as failed, and delivers it on replay', async () => {
    const tenant = await h.provisioned('wh');
    let down = true;
    receiver.answer((w) => (down && w.payload.data.tenantId === tenant ? 'dropped' : undefined));
    await h.authorize(tenant);

    const failed = await (async () => {
      for (let i = 0; i < 200; i++) {
        const found = (await deliveries('&status=failed')).filter((d) => d.tenantId === tenant);
        if (found.length === 2) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('no failed deliveries');
    })();
    const authorized = failed.find((d) => d.type === 'mail_config.gmail_authorized')!;
    expect(authorized).toMatchObject({
      status: 'failed',
      attempts: 7,
      nextAttemptAt: null,
      lastStatusCode: null,
      failedAt: expect.any(String),
      lastError: expect.stringMatching(/^could not reach 127\.0\.0\.1:\d+ \(ECONNRESET\)$/),
      payload: { type: 'mail_config.gmail_authorized', data: { tenantId: tenant } },
    });
    // The URL's path and query never show (they may carry the receiver's token).
    expect(JSON.stringify(failed)).not.toContain('source=test');
    expect(receiver.of(tenant, 'mail_config.gmail_authorized')).toHaveLength(7);
    const metrics = await h.svc.support.get('/metrics');
    expect(sample(metrics.text, 'mail_config_webhook_deliveries', { status: 'failed' })).toBeGreaterThanOrEqual(2);

    // Only support may replay, and only a delivery that exists.
    expect((await h.svc.api.post(`/v1/webhooks/deliveries/${authorized.id}/replay`)).status).toBe(403);
    expect((await h.svc.support.post('/v1/webhooks/deliveries/msg_nothing/replay')).status).toBe(404);

    down = false;
    const replay = await h.svc.support.post(`/v1/webhooks/deliveries/${authorized.id}/replay`, undefined, {
      'X-Actor': 'agent@support.example',
    });
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ id: authorized.id, replays: 1, lastReplayedBy: 'agent@support.example' });
    const delivered = await receiver.until(() =>
      receiver.of(tenant, 'mail_config.gmail_authorized').find((w) => w.answered === 204),
    );
    expect(delivered.id).toBe(authorized.id);
    expect(() => new Webhook(secret).verify(delivered.body, delivered.headers)).not.toThrow();
    await settled(tenant);
    expect(await deliveryOf(authorized.id)).toMatchObject({ status: 'delivered', attempts: 8, failedAt: null });
    // The other dead letter stays listed until it is replayed too.
    expect((await deliveries('&status=failed')).filter((d) => d.tenantId === tenant)).toHaveLength(1);
  });

  it('keeps nothing of an erased tenant in the webhook queue', async () => {
    const tenant = await h.provisioned('wh');
    await h.authorize(tenant);
    await receiver.until(() => receiver.of(tenant).filter((w) => w.answered === 204).length === 2);
    await settled(tenant);
    expect((await deliveries()).filter((d) => d.tenantId === tenant)).toHaveLength(2);
    expect((await h.svc.api.delete(`/v1/tenants/${tenant}/mail-config`)).status).toBe(200);
    for (let i = 0; ; i++) {
      const left = (await deliveries()).filter((d) => d.tenantId === tenant);
      if (left.length === 0) break;
      if (i > 200) throw new Error(`deliveries of the erased tenant still listed: ${left.length}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('answers the support routes with problems for bad input', async () => {
    expect((await h.svc.support.get('/v1/webhooks/deliveries?status=lost')).status).toBe(400);
    expect((await h.svc.support.get('/v1/webhooks/deliveries?cursor=nonsense')).status).toBe(400);
    expect((await h.svc.api.get('/v1/webhooks/deliveries')).status).toBe(403);
  });
});

describe('webhooks switched off (no WEBHOOK_URL)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(() => svc?.close());

  it('opens no queue and answers the support routes 503 naming what is missing', async () => {
    const list = await svc.support.get('/v1/webhooks/deliveries');
    expect(list.status).toBe(503);
    expect(list.body).toMatchObject({
      code: 'WEBHOOKS_NOT_CONFIGURED',
      detail: expect.stringContaining('WEBHOOK_URL'),
    });
    expect((await svc.support.post('/v1/webhooks/deliveries/msg_x/replay')).status).toBe(503);
    expect(existsSync(join(svc.dataDir, 'webhooks.db'))).toBe(false);
  });
});
