import { randomUUID } from 'node:crypto';
import { EVENT_STORE, type EventStore } from '../../src/application/ports/event-store.port';
import { ProjectionRunner } from '../../src/application/projections/projection-runner';
import { ProjectionService } from '../../src/application/projections/projection-service';
import { ProjectionThread } from '../../src/infrastructure/read-models/projection-thread';
import { eventually } from '../browser/dashboard-fixtures';
import { startTestService, type TestService, uniqueTenant } from '../support/app';

const listed = async (svc: TestService, tenantId: string) =>
  (await svc.support.get(`/v1/dashboard/tenants?q=${tenantId}`)).body.tenants.length === 1;

describe('the projection in a worker thread (embedded shape, PROJECTION_THREAD unset)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc.close();
  });
  const projection = () => svc.running.app.get(ProjectionService);

  it('projects off the event loop: the thread applies, the loop’s own runner never starts', async () => {
    expect(projection()).toBeInstanceOf(ProjectionThread);
    const t = uniqueTenant('thr');
    expect((await svc.api.post(`/v1/tenants/${t}/mail-config`, { username: t })).status).toBe(201);
    await eventually(async () => ((await listed(svc, t)) ? true : undefined), 5000, 'tenant row projected');
    const status = await projection().status();
    expect(status).toMatchObject({ running: true, role: 'active', lastError: null });
    expect(status.processed.applied).toBeGreaterThanOrEqual(1);
    // The loop's runner reads the same files but has applied nothing itself.
    const local = await svc.running.app.get(ProjectionRunner).status();
    expect(local).toMatchObject({ running: false, processed: { applied: 0, skipped: 0, duplicate: 0 } });
    expect(local.checkpoint).toBe(status.checkpoint);
    const audit = (await svc.support.get(`/v1/audit/events?tenantId=${t}`)).body.events;
    expect(audit.map((e: { type: string }) => e.type)).toEqual(['MailConfigProvisioned']);
  });

  it('writes its log lines where the service’s go, as JSON from the same logger options', async () => {
    const t = uniqueTenant('future');
    const type = `FutureEvent${randomUUID().slice(0, 8)}`;
    await svc.running.app.get<EventStore>(EVENT_STORE).appendToStream(
      `mailConfig-${t}`,
      [
        {
          eventId: randomUUID(),
          type,
          data: {},
          metadata: { actor: 'x', correlationId: randomUUID(), at: new Date().toISOString() },
        },
      ],
      { expectedVersion: 'no_stream' },
    );
    const line = await eventually(
      async () => svc.logs.find((l) => l.includes(`skipping events of unknown type \\"${type}\\"`)),
      5000,
      'the thread’s warning in the service log',
    );
    expect(JSON.parse(line)).toMatchObject({ level: 40, context: 'ProjectionRunner' });
  });

  it('is started again when it dies, and /health/ready says why meanwhile', async () => {
    const thread = projection() as ProjectionThread;
    // What an uncaught exception or an out-of-memory abort in the thread amounts to.
    await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const down = await svc.anonymous.get('/health/ready');
    expect(down.status).toBe(503);
    expect(down.body.checks.projections.detail.error).toMatch(/projection thread (exited|is starting)/);
    expect(svc.logs.some((l) => l.includes('the projection thread exited') && l.includes('starting it again'))).toBe(
      true,
    );
    await eventually(
      async () => ((await svc.anonymous.get('/health/ready')).status === 200 ? true : undefined),
      10_000,
      'ready again',
    );
    const t = uniqueTenant('after');
    await svc.api.post(`/v1/tenants/${t}/mail-config`, { username: t });
    await eventually(async () => ((await listed(svc, t)) ? true : undefined), 5000, 'projected by the new thread');
    expect((await projection().status()).processed.duplicate).toBe(0);
  }, 30_000);

  it('stops with the service and resumes from the checkpoint after a restart', async () => {
    const before = await projection().status();
    await svc.restart();
    const t = uniqueTenant('restart');
    await svc.api.post(`/v1/tenants/${t}/mail-config`, { username: t });
    await eventually(async () => ((await listed(svc, t)) ? true : undefined), 5000, 'projected after restart');
    const after = await projection().status();
    expect(after.checkpoint).toBeGreaterThan(before.checkpoint);
    // Nothing before the restart's checkpoint was applied again.
    expect(after.processed).toMatchObject({ duplicate: 0 });
    expect(after.processed.applied).toBe(1);
  }, 30_000);
});

describe('PROJECTION_THREAD=main', () => {
  it('projects in the event loop that answers requests', async () => {
    const svc = await startTestService({ env: { PROJECTION_THREAD: 'main' } });
    try {
      const projection = svc.running.app.get(ProjectionService);
      expect(projection).toBeInstanceOf(ProjectionRunner);
      const t = uniqueTenant('main');
      await svc.api.post(`/v1/tenants/${t}/mail-config`, { username: t });
      await eventually(async () => ((await listed(svc, t)) ? true : undefined), 5000, 'tenant row projected');
      expect((await projection.status()).processed.applied).toBeGreaterThanOrEqual(1);
    } finally {
      await svc.close();
    }
  });
});
