import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE, type EventStore } from '../../src/application/ports/event-store.port';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { type HttpResponse, request } from '../support/http';
import { type ServiceProcess, spawnService } from '../support/service-process';
import { testEventStoreEnv } from '../support/store-under-test';

/**
 * One support address per tenant: a username is claimed once, atomically, on the store under
 * test (the embedded SQLite store, and with E2E_STORE=esdb the EventStoreDB test server), within
 * one process and across two.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** A username no other test of the run uses (the DTO's alphabet). */
const freshUsername = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** The refusal every loser gets: 409, the field named, nobody else's tenant id anywhere in it. */
function expectTaken(res: HttpResponse, ...otherTenants: string[]): void {
  expect(res.status).toBe(409);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({
    type: expect.stringMatching(/username-taken$/),
    title: 'Username taken',
    status: 409,
    errors: [{ field: 'username', message: expect.stringContaining('another tenant') }],
  });
  for (const other of otherTenants) expect(res.text).not.toContain(other);
}

describe('unique support addresses', () => {
  let svc: TestService;
  const store = () => svc.running.app.get<EventStore>(EVENT_STORE);
  const provision = (tenant: string, username: string) =>
    svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username });
  const historyTypes = async (tenant: string) => {
    const res = await svc.api.get(`/v1/tenants/${tenant}/mail-config/history`);
    return res.status === 200 ? res.body.events.map((e: { type: string }) => e.type) : res.status;
  };
  /** What a tenant provisioned before usernames were claimed looks like: its stream, no claim. */
  const provisionedWithoutClaim = (tenant: string, username: string) =>
    store().appendToStream(
      `mailConfig-${tenant}`,
      [
        {
          eventId: randomUUID(),
          type: 'MailConfigProvisioned',
          data: { tenantId: tenant, username, defaultAddress: `support.${username}@smemetrics-email.com` },
          metadata: { actor: 'legacy', correlationId: randomUUID(), at: new Date().toISOString() },
        },
      ],
      { expectedVersion: 'no_stream' },
    );

  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('refuses a taken username to a second tenant with 409 naming `username`, and records nothing for it', async () => {
    const [first, second] = [uniqueTenant('first'), uniqueTenant('second')];
    const username = freshUsername('acme');
    expect((await provision(first, username)).status).toBe(201);

    const refused = await provision(second, username);
    expectTaken(refused, first);
    // The address is case-insensitive: another spelling is the same address.
    expectTaken(await provision(second, username.toUpperCase()), first);
    expect(await historyTypes(second)).toBe(404);

    // The owner's repeat is still the contract's idempotent 200, nothing new recorded.
    const again = await provision(first, username);
    expect([again.status, again.body.version]).toEqual([200, 1]);
    expect(await historyTypes(first)).toEqual(['MailConfigProvisioned']);
    // One claim, the first tenant's.
    expect((await store().readStream(`usernameClaim-${username}`)).map((e) => [e.type, e.data])).toEqual([
      ['UsernameClaimed', { username, tenantId: first }],
    ]);
  });

  it('lets the claim’s owner finish after a crash between the claim and the provisioning; nobody else', async () => {
    const [owner, other] = [uniqueTenant('owner'), uniqueTenant('other')];
    const username = freshUsername('crash');
    // What a process that died right after its claim leaves behind.
    await store().appendToStream(
      `usernameClaim-${username}`,
      [
        {
          eventId: randomUUID(),
          type: 'UsernameClaimed',
          data: { username, tenantId: owner },
          metadata: { actor: 'app', correlationId: randomUUID(), at: new Date().toISOString() },
        },
      ],
      { expectedVersion: 'no_stream' },
    );
    expectTaken(await provision(other, username), owner);
    const retried = await provision(owner, username);
    expect(retried.status).toBe(201);
    expect(retried.body.default.address).toBe(`support.${username}@smemetrics-email.com`);
    expect(await store().readStream(`usernameClaim-${username}`)).toHaveLength(1);
  });

  it('keeps an erased tenant’s username reserved', async () => {
    const [gone, next] = [uniqueTenant('gone'), uniqueTenant('next')];
    const username = freshUsername('gone');
    expect((await provision(gone, username)).status).toBe(201);
    expect((await svc.api.delete(`/v1/tenants/${gone}/mail-config`)).status).toBe(200);
    expectTaken(await provision(next, username), gone);
    // The erased tenant itself stays erased (410), claim or not.
    expect((await provision(gone, username)).status).toBe(410);
  });

  it('keeps the username of a tenant provisioned before claims existed, for that tenant only', async () => {
    const [legacy, newcomer] = [uniqueTenant('legacy'), uniqueTenant('new')];
    const username = freshUsername('legacy');
    await provisionedWithoutClaim(legacy, username);
    expectTaken(await provision(newcomer, username), legacy);
    const again = await provision(legacy, username);
    expect([again.status, again.body.version]).toEqual([200, 1]);
  });

  it('gives one username to exactly one of ten tenants provisioning it at once', async () => {
    const username = freshUsername('race');
    const tenants = Array.from({ length: 10 }, () => uniqueTenant('race'));
    const answers = await Promise.all(tenants.map((t) => provision(t, username)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    const winner = tenants[answers.findIndex((a) => a.status === 201)];
    for (const a of answers.filter((x) => x.status === 409)) expectTaken(a, winner);
    const claims = await store().readStream(`usernameClaim-${username}`);
    expect(claims.map((e) => e.data)).toEqual([{ username, tenantId: winner }]);
    const histories = await Promise.all(tenants.map(historyTypes));
    expect(histories.filter((h) => Array.isArray(h))).toEqual([['MailConfigProvisioned']]);
  });

  it('flags tenants that share a username (provisioned before claims) in the dashboard API', async () => {
    const username = freshUsername('dup');
    const [a, b, alone] = [uniqueTenant('dupa'), uniqueTenant('dupb'), uniqueTenant('alone')];
    await provisionedWithoutClaim(a, username);
    await provisionedWithoutClaim(b, username);
    expect((await provision(alone, freshUsername('alone'))).status).toBe(201);
    const rows = await eventually('the three rows projected', async () => {
      const res = await svc.support.get(`/v1/dashboard/tenants?limit=500`);
      const mine = (res.body.tenants as Array<{ tenantId: string; duplicateUsername: boolean }>).filter((t) =>
        [a, b, alone].includes(t.tenantId),
      );
      return mine.length === 3 ? mine : undefined;
    });
    expect(Object.fromEntries(rows.map((r) => [r.tenantId, r.duplicateUsername]))).toEqual({
      [a]: true,
      [b]: true,
      [alone]: false,
    });
    // A filter that shows one of the pair still flags it.
    const one = await svc.support.get(`/v1/dashboard/tenants?q=${a}`);
    expect(one.body.tenants).toEqual([expect.objectContaining({ tenantId: a, duplicateUsername: true })]);
  });
});

describe('unique support addresses across two service processes on one store', () => {
  const API_TOKEN = `uniq-api-${randomBytes(12).toString('hex')}`;
  const SUPPORT_TOKEN = `uniq-support-${randomBytes(12).toString('hex')}`;
  const ENCRYPTION_KEY = randomBytes(32).toString('base64');
  const SPAWN_TIMEOUT_MS = 60_000;
  const dataDirs: string[] = [];
  const processes: ServiceProcess[] = [];
  let releaseStore: () => Promise<void> = async () => {};

  beforeAll(
    async () => {
      // The store under test: one EventStoreDB test server both talk to, or one SQLite file (one DATA_DIR).
      const storeEnv = await testEventStoreEnv();
      releaseStore = storeEnv.release;
      const onEsdb = Boolean(storeEnv.env.EVENTSTORE_CONNECTION_STRING);
      const shared = mkdtempSync(join(tmpdir(), 'mcs-uniq-'));
      dataDirs.push(shared);
      const env = (dataDir: string): Record<string, string> => ({
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        DATA_DIR: dataDir,
        API_TOKEN,
        SUPPORT_TOKEN,
        ENCRYPTION_KEY,
        ...storeEnv.env,
      });
      const second = onEsdb ? mkdtempSync(join(tmpdir(), 'mcs-uniq-')) : shared;
      if (second !== shared) dataDirs.push(second);
      // One after the other: on SQLite the second opens files the first created.
      processes.push(await spawnService(env(shared), SPAWN_TIMEOUT_MS));
      processes.push(await spawnService(env(second), SPAWN_TIMEOUT_MS));
    },
    2 * SPAWN_TIMEOUT_MS + 10_000,
  );

  afterAll(async () => {
    for (const p of processes) p.kill();
    await Promise.all(processes.map((p) => p.exited));
    await releaseStore();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('gives one username to exactly one of ten tenants whose requests reach two processes at once', async () => {
    const username = freshUsername('twoproc');
    const tenants = Array.from({ length: 10 }, () => uniqueTenant('two'));
    const answers = await Promise.all(
      tenants.map((t, i) =>
        request('POST', `${processes[i % 2].url}/v1/tenants/${t}/mail-config`, {
          token: API_TOKEN,
          body: { username },
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    const winner = tenants[answers.findIndex((a) => a.status === 201)];
    for (const a of answers.filter((x) => x.status === 409)) expectTaken(a, winner);

    // Each process then refuses it to anyone else, and both show the winner with that address.
    for (const p of processes) {
      const late = await request('POST', `${p.url}/v1/tenants/${uniqueTenant('late')}/mail-config`, {
        token: API_TOKEN,
        body: { username },
      });
      expectTaken(late, winner);
      const view = await request('GET', `${p.url}/v1/tenants/${winner}/mail-config`, { token: API_TOKEN });
      expect(view.body.default.address).toBe(`support.${username}@smemetrics-email.com`);
    }
    const losers = await Promise.all(
      tenants
        .filter((t) => t !== winner)
        .map((t) => request('GET', `${processes[0].url}/v1/tenants/${t}/mail-config`, { token: API_TOKEN })),
    );
    expect(losers.map((l) => l.status)).toEqual(Array(9).fill(404));
  }, 30_000);
});
