import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { EVENT_STORE, type EventStore } from '../../src/application/ports/event-store.port';
import { ProjectionService } from '../../src/application/projections/projection-service';
import { eventually, recordTrouble } from '../browser/dashboard-fixtures';
import { startTestService, type TestService, uniqueTenant } from '../support/app';

const run = promisify(execFile);

describe('projections in the running service', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc.close();
  });

  const store = () => svc.running.app.get<EventStore>(EVENT_STORE);
  const runner = () => svc.running.app.get(ProjectionService);
  const caughtUp = () =>
    eventually(
      async () => {
        const s = await runner().status();
        return s.lagMs === 0 &&
          s.checkpoint === (await store().readAll({ streamPrefix: 'mailConfig-' })).pop()?.position
          ? s
          : undefined;
      },
      2000,
      'projections caught up',
    );
  const readModels = async () => ({
    summary: { ...(await svc.support.get('/v1/dashboard/summary')).body, lagMs: 0 },
    tenants: (await svc.support.get('/v1/dashboard/tenants?limit=500')).body,
    audit: (await svc.support.get('/v1/audit/events?limit=500')).body,
  });

  it('resumes from its checkpoint after a restart: no event applied twice, none missed', async () => {
    const before = uniqueTenant('before');
    await svc.api.post(`/v1/tenants/${before}/mail-config`, { username: 'before' });
    await caughtUp();
    const eventsBefore = (await store().readAll({ streamPrefix: 'mailConfig-' })).length;
    await svc.restart();

    const after = uniqueTenant('after');
    await svc.api.post(`/v1/tenants/${after}/mail-config`, { username: 'after' });
    await svc.api.put(`/v1/tenants/${after}/mail-config/smtp`, {
      address: 'a@after.example',
      password: 'pw',
      host: 'smtp.after.example',
      port: 587,
    });
    const status = await caughtUp();
    const all = await store().readAll({ streamPrefix: 'mailConfig-' });
    // This process applied exactly the events written since the restart.
    expect(status.processed).toEqual({ applied: all.length - eventsBefore, skipped: 0, duplicate: 0 });
    const audit = (await svc.support.get('/v1/audit/events?limit=500')).body.events;
    expect(audit.map((e: { eventId: string }) => e.eventId)).toEqual(all.map((e) => e.eventId));
    const tenants = (await svc.support.get('/v1/dashboard/tenants?limit=500')).body.tenants;
    expect(tenants.map((t: { tenantId: string }) => t.tenantId).sort()).toEqual([before, after].sort());
  });

  it('skips an event type it does not know, reports it in readiness and metrics, and keeps projecting', async () => {
    const t = uniqueTenant('unknown');
    await svc.api.post(`/v1/tenants/${t}/mail-config`, { username: 'unknown' });
    await store().appendToStream(
      `mailConfig-${t}`,
      [
        {
          eventId: randomUUID(),
          type: 'MailConfigArchivedV9',
          data: { reason: 'from a newer version' },
          metadata: { actor: 'future', correlationId: randomUUID(), at: new Date().toISOString() },
        },
      ],
      { expectedVersion: 1 },
    );
    await svc.api.delete(`/v1/tenants/${uniqueTenant('other')}/mail-config`); // 404, but proves the service still answers
    const other = uniqueTenant('later');
    await svc.api.post(`/v1/tenants/${other}/mail-config`, { username: 'later' });
    await eventually(
      async () =>
        (await svc.support.get(`/v1/dashboard/tenants?q=${other}`)).body.tenants.length === 1 ? true : undefined,
      1000,
      'later tenant',
    );

    const ready = await svc.anonymous.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.projections).toMatchObject({
      ok: true,
      detail: { skippedEventTypes: { MailConfigArchivedV9: 1 } },
    });
    expect((await svc.support.get('/v1/dashboard/summary')).body.skippedEvents).toBe(1);
    const metrics = await svc.anonymous.get('/metrics');
    expect(metrics.text).toMatch(/mail_config_projection_skipped_events\{type="MailConfigArchivedV9"\} 1/);
    expect(metrics.text).toMatch(/mail_config_projection_up 1/);
    // The audit shows it, as the tenant history does.
    const audit = (await svc.support.get(`/v1/audit/events?tenantId=${t}`)).body.events;
    expect(audit.map((e: { type: string }) => e.type)).toEqual(['MailConfigProvisioned', 'MailConfigArchivedV9']);
  });

  it('is not ready while the projections lag behind the threshold, and ready again once caught up', async () => {
    await runner().stop();
    const t = uniqueTenant('lag');
    await store().appendToStream(
      `mailConfig-${t}`,
      [
        {
          eventId: randomUUID(),
          type: 'MailConfigProvisioned',
          data: { tenantId: t, username: 'lag', defaultAddress: 'support.lag@smemetrics-email.com' },
          metadata: { actor: 'x', correlationId: randomUUID(), at: new Date(Date.now() - 60_000).toISOString() },
        },
      ],
      { expectedVersion: 'no_stream' },
    );
    const notReady = await svc.anonymous.get('/health/ready');
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks.projections.ok).toBe(false);
    expect(notReady.body.checks.projections.detail.lagMs).toBeGreaterThanOrEqual(60_000);
    expect((await svc.support.get('/v1/dashboard/summary')).body.lagMs).toBeGreaterThanOrEqual(60_000);

    await runner().start();
    await eventually(
      async () => ((await svc.anonymous.get('/health/ready')).status === 200 ? true : undefined),
      2000,
      'ready',
    );
    expect((await svc.support.get('/v1/dashboard/summary')).body.lagMs).toBe(0);
  });

  it('npm run projections:rebuild, run beside the live service, produces the same read models as the live run', async () => {
    for (let i = 0; i < 100; i++) {
      const t = uniqueTenant('bulk');
      await svc.api.post(`/v1/tenants/${t}/mail-config`, { username: `bulk${i}` });
      if (i % 10 === 0) await recordTrouble(svc, t, 'send_failing');
    }
    await caughtUp();
    const live = await readModels();
    expect(live.audit.events.length).toBeGreaterThan(100);
    const firstPage = (await svc.support.get('/v1/audit/events')).body;
    expect([firstPage.events.length, typeof firstPage.nextCursor]).toEqual([100, 'string']); // default limit

    // As an operator runs it: the npm script, which is the CLI's `projections rebuild`.
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'projections:rebuild'], {
      env: { ...process.env, ...svc.env },
      timeout: 60_000,
    });
    expect(stderr).toMatch(/rebuilding read models: \d+ events, position \d+\/\d+ \(\d+%\)/);
    expect(stdout).toMatch(/read models rebuilt from \d+ events \(applied \d+, skipped 1, duplicate \d+\)/);
    await caughtUp();
    expect(await readModels()).toEqual(live);
    expect((await svc.anonymous.get('/health/ready')).status).toBe(200);

    // The live runner notices the rebuilt generation on its next event and carries on from there.
    const next = uniqueTenant('next');
    await svc.api.post(`/v1/tenants/${next}/mail-config`, { username: 'next' });
    await eventually(
      async () =>
        (await svc.support.get(`/v1/dashboard/tenants?q=${next}`)).body.tenants.length === 1 ? true : undefined,
      1000,
      'next tenant',
    );
    expect((await svc.support.get('/v1/dashboard/summary')).body.tenants).toBe(live.summary.tenants + 1);
  }, 90_000);
});
