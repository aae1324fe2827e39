import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type StoredEvent } from '../../src/application/ports/event-store.port';
import { EventStoreDbEventStore } from '../../src/infrastructure/event-store/eventstoredb/eventstoredb.event-store';
import { type EsdbServer, startEsdbServer } from '../support/esdb/esdb-server';
import { runCli } from '../support/cli-process';
import { request } from '../support/http';
import { createTestDatabase, type TestDatabase } from '../support/postgres/database';
import { type ServiceProcess, spawnService } from '../support/service-process';

/**
 * Three instances of the replicated shape on one EventStoreDB and one PostgreSQL, as operators
 * run them behind a load balancer: one projects, two stand by. The holder is SIGKILLed in the
 * middle of a command burst; another takes over and every event still lands in the shared read
 * models exactly once.
 */

const API_TOKEN = `rp-api-${randomBytes(16).toString('hex')}`;
const SUPPORT_TOKEN = `rp-support-${randomBytes(12).toString('hex')}`;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const SPAWN_TIMEOUT_MS = 60_000;
const TENANTS = 45;

interface Instance {
  name: string;
  service: ServiceProcess;
  dataDir: string;
  alive: boolean;
}

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the replicated shape: projections fail over between instances (real processes)', () => {
  const run = randomBytes(3).toString('hex');
  let esdb: EsdbServer;
  let database: TestDatabase;
  const instances: Instance[] = [];

  const call = (i: Instance, method: string, path: string, body?: unknown, token: string | null = API_TOKEN) =>
    request(method, i.service.url + path, { token, body });
  const projections = async (i: Instance) => {
    const res = await call(i, 'GET', '/health/ready', undefined, null);
    return res.body.checks.projections as {
      ok: boolean;
      detail: { role: 'active' | 'standby'; checkpoint: string; head: string; lagMs: number };
    };
  };
  const roles = async () =>
    Promise.all(instances.filter((i) => i.alive).map(async (i) => (await projections(i)).detail.role));
  const holder = async () => {
    const alive = instances.filter((i) => i.alive);
    const found = await Promise.all(
      alive.map(async (i) => ((await projections(i)).detail.role === 'active' ? i : null)),
    );
    return found.filter((i): i is Instance => i !== null);
  };

  beforeAll(async () => {
    [esdb, database] = await Promise.all([startEsdbServer(), createTestDatabase('replicated_projections')]);
    // One after the other: three processes compiling at once on a loaded machine starve each other.
    for (const name of ['a', 'b', 'c']) {
      const dataDir = mkdtempSync(join(tmpdir(), `mcs-replicated-${name}-`));
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
        },
        SPAWN_TIMEOUT_MS,
      );
      instances.push({ name, service, dataDir, alive: true });
    }
  }, 4 * SPAWN_TIMEOUT_MS);

  afterAll(async () => {
    for (const i of instances) i.service.kill();
    await Promise.all(instances.map((i) => i.service.exited));
    await Promise.all([esdb?.stop(), database?.drop()]);
    for (const i of instances) rmSync(i.dataDir, { recursive: true, force: true });
  });

  it('runs the projection on one instance; after its holder is killed mid-burst another takes over within 10 s, and every event is in the read models once', async () => {
    // One holder, two standbys, and every instance answers readiness about the shared checkpoint.
    const first = await eventually('one holder', async () => {
      const h = await holder();
      return h.length === 1 ? h[0] : undefined;
    });
    expect((await roles()).sort()).toEqual(['active', 'standby', 'standby']);

    // The burst: each tenant provisioned and given an SMTP configuration, round-robin over the
    // instances that are alive, a few requests at a time.
    const commands = Array.from({ length: TENANTS }, (_, n) => `rp-${run}-${String(n).padStart(3, '0')}`).flatMap(
      (tenant) => [
        { method: 'POST', path: `/v1/tenants/${tenant}/mail-config`, body: { username: `u${tenant.slice(-3)}` } },
        {
          method: 'PUT',
          path: `/v1/tenants/${tenant}/mail-config/smtp`,
          body: { address: `help@${tenant}.example`, password: 'pw', host: 'smtp.example.com', port: 587 },
        },
      ],
    );
    let killedAt = 0;
    let sent = 0;
    let answeredAfterKill = 0;
    const statuses: number[] = [];
    const worker = async (lane: number) => {
      // A lane keeps its tenants' commands in order: the provision before the SMTP settings.
      for (let k = lane; k < commands.length / 2; k += 3) {
        for (const command of [commands[2 * k], commands[2 * k + 1]]) {
          let res;
          for (;;) {
            const alive = instances.filter((i) => i.alive);
            const target = alive[sent++ % alive.length];
            try {
              res = await call(target, command.method, command.path, command.body);
              break;
            } catch (error) {
              // In flight to the instance just killed: a load balancer retries on another one.
              if (target.alive) throw error;
            }
          }
          statuses.push(res.status);
          if (killedAt !== 0) answeredAfterKill++;
        }
        if (sent >= commands.length / 3 && killedAt === 0) {
          killedAt = Date.now();
          first.alive = false;
          first.service.child.kill('SIGKILL');
        }
      }
    };
    const burst = Promise.all([0, 1, 2].map(worker));

    const takeover = await eventually(
      'a new holder',
      async () => {
        if (killedAt === 0) return undefined;
        const h = await holder();
        return h.length === 1 ? { instance: h[0], afterMs: Date.now() - killedAt } : undefined;
      },
      30_000,
    );
    await burst;
    expect(takeover.instance).not.toBe(first);
    expect(takeover.afterMs).toBeLessThan(10_000);
    // The kill fell in the middle of the burst: commands went on through the survivors.
    expect(answeredAfterKill).toBeGreaterThan(commands.length / 3);
    expect(statuses.every((s) => s === 200 || s === 201)).toBe(true);
    expect(statuses).toHaveLength(commands.length);

    // The truth is the event store: every mailConfig event, once, in the shared tables.
    const store = new EventStoreDbEventStore(esdb.connectionString);
    let events: StoredEvent[];
    try {
      events = (await store.readAll({ streamPrefix: 'mailConfig-' })).filter((e) => e.streamId.includes(run));
    } finally {
      await store.close();
    }
    // A command retried after the kill may have been recorded by the dead instance already.
    expect(events.length).toBeGreaterThanOrEqual(commands.length);
    const lastVersions = new Map(events.map((e) => [e.streamId.slice('mailConfig-'.length), e.version]));
    const last = events[events.length - 1].position;
    const survivors = instances.filter((i) => i.alive);
    await eventually('survivors caught up', async () => {
      const all = await Promise.all(survivors.map(projections));
      return all.every((p) => p.ok && BigInt(p.detail.checkpoint) >= last && p.detail.lagMs === 0) ? all : undefined;
    });

    const pg = new Client({ connectionString: database.url });
    await pg.connect();
    try {
      const audit = await pg.query<{ position: string }>(
        'SELECT position::text AS position FROM read_model_audit_events ORDER BY read_model_audit_events.position',
      );
      expect(audit.rows.map((r) => BigInt(r.position))).toEqual(events.map((e) => e.position));
      const checkpoint = await pg.query<{ position: string }>(
        "SELECT position::text AS position FROM projection_checkpoints WHERE projection = 'mail-config'",
      );
      expect(BigInt(checkpoint.rows[0].position)).toBe(last);
      const tenants = await pg.query<{ tenant_id: string; version: number }>(
        "SELECT tenant_id, (record->>'version')::int AS version FROM read_model_tenants",
      );
      expect(new Map(tenants.rows.map((r) => [r.tenant_id, r.version]))).toEqual(lastVersions);
      expect(lastVersions.size).toBe(TENANTS);
    } finally {
      await pg.end();
    }

    // Every survivor answers the dashboard and the audit from the same tables.
    const summaries = await Promise.all(
      survivors.map(async (i) => (await call(i, 'GET', '/v1/dashboard/summary', undefined, SUPPORT_TOKEN)).body),
    );
    expect(summaries[0]).toMatchObject({
      tenants: TENANTS,
      byMode: expect.objectContaining({ default: TENANTS }),
      checkpoint: Number(last),
    });
    expect(summaries[1]).toEqual(summaries[0]);
    const audits = await Promise.all(
      survivors.map(
        async (i) => (await call(i, 'GET', '/v1/audit/events?limit=500', undefined, SUPPORT_TOKEN)).body.events,
      ),
    );
    expect(audits[0].map((e: { eventId: string }) => e.eventId)).toEqual(events.map((e) => e.eventId));
    expect(audits[1]).toEqual(audits[0]);
    const active = await Promise.all(
      survivors.map(
        async (i) => /^mail_config_projection_active (\d)$/m.exec((await call(i, 'GET', '/metrics')).body)?.[1],
      ),
    );
    expect(active.sort()).toEqual(['0', '1']);
    const said = takeover.instance.service.stdout.map((l) => JSON.parse(l).msg as string);
    expect(said).toContain('projection lock acquired: this instance projects now');
  }, 180_000);

  it('rebuilds the shared read models with `projections rebuild` while the instances run, to the same answers', async () => {
    const survivors = instances.filter((i) => i.alive);
    const answers = async () =>
      Promise.all(
        survivors.map(async (i) => ({
          summary: (await call(i, 'GET', '/v1/dashboard/summary', undefined, SUPPORT_TOKEN)).body,
          tenants: (await call(i, 'GET', '/v1/dashboard/tenants?limit=500', undefined, SUPPORT_TOKEN)).body,
          audit: (await call(i, 'GET', '/v1/audit/events?limit=500', undefined, SUPPORT_TOKEN)).body,
        })),
      );
    const before = await answers();
    const dataDir = mkdtempSync(join(tmpdir(), 'mcs-replicated-cli-'));
    try {
      const rebuilt = await runCli(
        ['projections', 'rebuild', '--json'],
        {
          DATA_DIR: dataDir,
          EVENTSTORE_CONNECTION_STRING: esdb.connectionString,
          DATABASE_URL: database.url,
          ENCRYPTION_KEY,
        },
        60_000,
      );
      expect(rebuilt.code).toBe(0);
      expect(rebuilt.json).toMatchObject({ events: before[0].audit.events.length, duplicate: 0, skipped: 0 });
      expect(readdirSync(dataDir).filter((f) => f.startsWith('read-models'))).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    // The holder noticed the new generation and goes on from the rebuilt checkpoint.
    const after = await eventually('the instances agree again', async () => {
      const now = await answers();
      return JSON.stringify(now) === JSON.stringify(before) ? now : undefined;
    });
    expect(after[1]).toEqual(after[0]);
  }, 90_000);

  it('keeps no read model in any instance’s DATA_DIR', async () => {
    for (const i of instances.filter((x) => x.alive)) {
      i.service.child.kill('SIGTERM');
      expect((await i.service.exited).code).toBe(0);
      i.alive = false;
    }
    for (const i of instances) {
      expect(readdirSync(i.dataDir).filter((f) => f.startsWith('read-models'))).toEqual([]);
    }
  });
});
