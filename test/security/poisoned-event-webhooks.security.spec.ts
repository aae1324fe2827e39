import { setTimeout as sleep } from 'node:timers/promises';
import { EventQuarantine } from '../../src/application/projections/event-quarantine';
import { poisonEvent } from '../support/poisoned-event';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { webhookSecret, WebhookReceiver } from '../support/webhooks/webhook-receiver';

/**
 * Issue #18 item 10 for the webhook feed, a second consumer of the event stream: one unreadable
 * event must not stop the main application's webhooks for every tenant for good. The feed names
 * the event once; once an operator quarantined it, the feed steps over it and goes on.
 */
describe('item 10: a poisoned event stops webhooks only until it is quarantined', () => {
  const secret = webhookSecret();
  let receiver: WebhookReceiver;
  let svc: TestService;
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    svc = await startTestService({
      env: { WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: secret, WEBHOOK_RETRY_SCHEDULE: '100ms,100ms' },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await receiver?.close();
  });

  const activateSmtp = (tenant: string) =>
    svc.api.put(`/v1/tenants/${tenant}/mail-config/smtp`, {
      address: 'help@acme.example',
      host: 'localhost',
      port: 2525,
      security: 'starttls',
      password: 'not-used-here',
      activate: true,
      force: true,
    });

  it('names the event once, then delivers the next tenants’ webhooks once it is quarantined', async () => {
    const [victim, before, after] = [uniqueTenant('victim'), uniqueTenant('before'), uniqueTenant('after')];
    for (const t of [victim, before, after]) {
      expect((await svc.api.post(`/v1/tenants/${t}/mail-config`, { username: t.toLowerCase() })).status).toBe(201);
    }
    expect((await activateSmtp(before)).status).toBe(200);
    await receiver.until(() => receiver.of(before, 'mail_config.mode_changed').length === 1);

    const bad = poisonEvent(svc.dataDir, `mailConfig-${victim}`);
    expect((await activateSmtp(after)).status).toBe(200);
    const where = `event mailConfig-${victim} version ${bad.version} (position ${bad.position})`;
    const stopped = () => svc.logs.filter((l) => l.includes('webhook feed stopped at'));
    await receiver.until(() => stopped().length > 0);
    // Two retry periods later: still stuck, still named only once, nothing delivered past the event.
    await sleep(4500);
    expect(stopped()).toHaveLength(1);
    expect(stopped()[0]).toContain(where);
    expect(stopped()[0]).toContain(`events quarantine --stream mailConfig-${victim} --version ${bad.version}`);
    expect(stopped()[0]).not.toContain('smtp.exa');
    expect(receiver.of(after)).toEqual([]);
    // Readiness says the same, under the feed's own check (the projections, stuck too, make it 503).
    const stuck = (await svc.anonymous.get('/health/ready')).body.checks.webhookFeed;
    expect(stuck).toMatchObject({ ok: false, required: false, detail: { state: 'stopped', lagMs: null } });
    expect(stuck.detail.error).toContain(`${where} cannot be decoded`);
    expect(stuck.detail.error).toContain(`events quarantine --stream mailConfig-${victim} --version ${bad.version}`);
    expect(stuck.detail.error).not.toContain('smtp.exa');

    await svc.running.app
      .get(EventQuarantine)
      .add(
        { streamId: `mailConfig-${victim}`, version: bad.version, position: bad.position, reason: 'test' },
        { actor: 'ops', correlationId: 'c-quarantine' },
      );
    await receiver.until(() => receiver.of(after, 'mail_config.mode_changed').length === 1);
    expect(svc.logs.filter((l) => l.includes(`webhook feed skipped quarantined ${where}`))).toHaveLength(1);
    expect(receiver.of(before, 'mail_config.mode_changed')).toHaveLength(1);
    expect(receiver.of(victim)).toEqual([]);
    const going = (await svc.anonymous.get('/health/ready')).body.checks.webhookFeed;
    expect(going.detail.error).toBeUndefined();
  }, 60_000);
});
