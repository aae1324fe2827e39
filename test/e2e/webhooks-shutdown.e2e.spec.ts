import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { webhookSecret, WebhookReceiver } from '../support/webhooks/webhook-receiver';

/**
 * A webhook attempt in flight does not hold shutdown: the receiver never answers and
 * WEBHOOK_TIMEOUT (5 min) outlasts the test's own timeout, so the service's close returns only
 * because the attempt was cut. The cut attempt is not a failure: started again, the service
 * delivers at once (the claim was handed back, not left to its 5-minute lease) and the delivery
 * counts the one attempt that was answered.
 */
describe('webhook attempts in flight at shutdown', () => {
  let receiver: WebhookReceiver;
  let svc: TestService;
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    svc = await startTestService({
      env: {
        WEBHOOK_URL: receiver.url,
        WEBHOOK_SECRET: webhookSecret(),
        WEBHOOK_RETRY_SCHEDULE: '5m',
        WEBHOOK_TIMEOUT: '5m',
      },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await receiver?.close();
  });

  it('are cut by close, and delivered after the restart without a failed attempt counted', async () => {
    const tenant = uniqueTenant('shut');
    let first = true;
    receiver.answer((w) => {
      if (w.payload.data.tenantId !== tenant || !first) return undefined;
      first = false;
      return 'held';
    });
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
    const held = await receiver.until(() => receiver.of(tenant, 'mail_config.mode_changed')[0]);
    expect(held.answered).toBe('held');
    const before = (await svc.support.get('/v1/webhooks/deliveries?status=pending')).body.deliveries;
    expect(before.find((d: { id: string }) => d.id === held.id)).toMatchObject({ attempts: 0 });

    await svc.restart();
    // Closed while the receiver still held the request unanswered: the service cut it.
    expect(held.answered).toBe('held');
    await receiver.until(() => held.cutBySender);
    expect(svc.logs.some((l) => l.includes(`webhook ${held.id}: attempt abandoned at shutdown`))).toBe(true);

    const again = await receiver.until(() =>
      receiver.of(tenant, 'mail_config.mode_changed').find((w) => w.answered === 204),
    );
    expect(again.id).toBe(held.id);
    expect(again.body).toBe(held.body);
    const delivered = (await svc.support.get('/v1/webhooks/deliveries?status=delivered')).body.deliveries;
    expect(delivered.find((d: { id: string }) => d.id === held.id)).toMatchObject({
      status: 'delivered',
      attempts: 1,
      lastError: null,
    });
    expect(receiver.of(tenant)).toHaveLength(2);
  });
});
