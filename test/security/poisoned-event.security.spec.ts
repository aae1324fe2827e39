import { openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventDecodeError } from '../../src/application/ports/event-store.port';
import { ProjectionService } from '../../src/application/projections/projection-service';
import { decodeEvent } from '../../src/infrastructure/event-store/event-codec';
import { poisonEvent } from '../support/poisoned-event';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { runCli } from '../support/cli-process';

/**
 * Issue #18 item 10: one corrupt event stopped the dashboard for every tenant, with an error that
 * named no stream or position, retried every second for ever; page-level corruption passed
 * readiness. Now the error names the event, an operator quarantines it with the CLI and the
 * projection goes on for everyone else, and a damaged events.db fails readiness, naming itself.
 */

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe('item 10: a poisoned event names itself, can be quarantined, and stops no other tenant', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ keepDataDir: true });
  });
  afterAll(() => svc?.close());

  const listed = async (tenant: string) =>
    ((await svc.support.get(`/v1/dashboard/tenants?q=${tenant}`)).body.tenants as { tenantId: string }[]).some(
      (t) => t.tenantId === tenant,
    );

  it('decoding names stream, version and position, never the content', () => {
    const base = { streamId: 'mailConfig-t', version: 3, position: 42n, eventId: 'e', type: 'SmtpConfigured' };
    const meta = JSON.stringify({ actor: 'a', correlationId: 'c', at: 'now' });
    for (const [data, metadata, reason] of [
      ['{"password":"hunter2', meta, 'its data is not valid JSON'],
      ['[1]', meta, 'its data is not a JSON object'],
      ['{}', '{"actor":"a"}', 'its metadata has no correlationId'],
      [new Uint8Array([1, 2]), meta, 'its data is not a JSON object'],
    ] as const) {
      let thrown: unknown;
      try {
        decodeEvent({ ...base, data, metadata });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(EventDecodeError);
      expect((thrown as Error).message).toBe(`event mailConfig-t version 3 (position 42) cannot be decoded: ${reason}`);
      expect((thrown as Error).message).not.toContain('hunter2');
    }
  });

  it('stops at the event naming it (readiness 503, one log line), is quarantined by the CLI, and goes on', async () => {
    const victim = uniqueTenant('poisoned');
    const other = uniqueTenant('healthy');
    expect((await svc.api.post(`/v1/tenants/${victim}/mail-config`, { username: victim.toLowerCase() })).status).toBe(
      201,
    );
    await eventually('the victim projected', async () => ((await listed(victim)) ? true : undefined));
    const bad = poisonEvent(svc.dataDir, `mailConfig-${victim}`);
    expect((await svc.api.post(`/v1/tenants/${other}/mail-config`, { username: other.toLowerCase() })).status).toBe(
      201,
    );
    const where = `event mailConfig-${victim} version ${bad.version} (position ${bad.position})`;
    const hint = `events quarantine --stream mailConfig-${victim} --version ${bad.version}`;

    const ready = await eventually('readiness names the event', async () => {
      const res = await svc.anonymous.get('/health/ready');
      return res.status === 503 && String(res.body.checks.projections.detail.error).includes(where) ? res : undefined;
    });
    expect(ready.body.checks.projections.detail.error).toContain(hint);
    expect(JSON.stringify(ready.body)).not.toContain('smtp.exa');
    expect(await listed(other)).toBe(false);
    const stopped = svc.logs.filter((l) => l.includes('projection stopped at'));
    expect(stopped).toHaveLength(1);
    expect(stopped[0]).toContain(where);
    expect(stopped[0]).toContain(hint);

    const env = { ...svc.env, API_TOKEN: svc.apiToken, SUPPORT_TOKEN: svc.supportToken, LOG_LEVEL: 'warn' };
    const quarantined = await runCli(
      ['events', 'quarantine', '--stream', `mailConfig-${victim}`, '--version', String(bad.version), '--actor', 'ops'],
      env,
    );
    expect(quarantined.code).toBe(0);
    expect(quarantined.stdout).toContain(`quarantined: mailConfig-${victim} version ${bad.version}`);
    expect(quarantined.stdout).toContain('its data is not valid JSON');
    const list = await runCli(['events', 'quarantined', '--json'], env);
    expect(list.code).toBe(0);
    expect(list.json).toEqual([
      expect.objectContaining({
        streamId: `mailConfig-${victim}`,
        version: bad.version,
        position: String(bad.position),
        actor: 'ops',
      }),
    ]);
    const again = await runCli(
      ['events', 'quarantine', '--stream', `mailConfig-${victim}`, '--version', String(bad.version)],
      env,
    );
    expect(again.stdout).toContain('already quarantined');
    const unknown = await runCli(['events', 'quarantine', '--stream', `mailConfig-${victim}`, '--version', '99'], env);
    expect(unknown.code).toBe(3);

    // The projection goes past it on its next attempt: the other tenant appears, readiness comes back.
    await eventually('the other tenant projected', async () => ((await listed(other)) ? true : undefined), 90_000);
    expect(svc.logs.some((l) => l.includes(`projection skipped quarantined ${where}`))).toBe(true);
    await eventually('ready again', async () =>
      (await svc.anonymous.get('/health/ready')).status === 200 ? true : undefined,
    );
    // A rebuild of the read models skips it too, and keeps everyone else.
    const rebuilt = await svc.running.app.get(ProjectionService).rebuild();
    expect(rebuilt.events).toBeGreaterThanOrEqual(2);
    expect(await listed(other)).toBe(true);
    expect(await listed(victim)).toBe(true);
  }, 150_000);
});

describe('item 10: page-level corruption of events.db fails readiness, naming the file', () => {
  it('answers /health/ready 503 with what PRAGMA quick_check found', async () => {
    const svc = await startTestService({ keepDataDir: true });
    for (let i = 0; i < 40; i++) {
      const tenant = uniqueTenant('pages');
      expect((await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: tenant.toLowerCase() })).status).toBe(
        201,
      );
    }
    const { dataDir } = svc;
    await svc.close();
    // The clean shutdown checkpointed the WAL into the file; page 2 (the events table's root) is overwritten.
    const file = join(dataDir, 'events.db');
    const pageSize = readFileSync(file).readUInt16BE(16);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, pageSize);
    closeSync(fd);

    const damaged = await startTestService({ dataDir });
    try {
      const res = await damaged.anonymous.get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.body.checks.eventStore).toEqual({
        ok: false,
        detail: { error: expect.stringMatching(/^events\.db failed PRAGMA quick_check: /) },
      });
    } finally {
      await damaged.close();
    }
  });
});
