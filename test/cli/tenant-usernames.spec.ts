import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE, type EventStore } from '../../src/application/ports/event-store.port';
import { startTestService, type TestService } from '../support/app';
import { runCli } from '../support/cli-process';

/** Each CLI run is a Node process starting the service's modules: seconds each on a busy machine. */
const CLI_TESTS_MS = 120_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `tenant duplicates` and `tenant list` run as their own processes on a DATA_DIR a real service
 * wrote. The duplicates are what the service had before usernames were claimed: provisioning
 * events appended straight to its store, with no claim.
 */
describe('operator CLI: tenant duplicates and tenant list', () => {
  const key = randomBytes(32).toString('base64');
  let dataDir: string;
  let env: Record<string, string>;
  const start = () =>
    startTestService({ dataDir, env: { EVENTSTORE_CONNECTION_STRING: '', ENCRYPTION_KEYS: `k1:${key}` } });

  /** Until the dashboard lists `count` tenants: the CLI's `tenant list` reads what the projections wrote. */
  async function projected(svc: TestService, count: number): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const res = await svc.support.get('/v1/dashboard/tenants?limit=100');
      if (res.body.tenants.length === count) return;
      await sleep(100);
    }
    throw new Error(`the dashboard never listed ${count} tenants`);
  }

  const provisionedWithoutClaim = (svc: TestService, tenant: string, username: string) =>
    svc.running.app.get<EventStore>(EVENT_STORE).appendToStream(
      `mailConfig-${tenant}`,
      [
        {
          eventId: randomUUID(),
          type: 'MailConfigProvisioned',
          data: { tenantId: tenant, username, defaultAddress: `support.${username}@smemetrics-email.com` },
          metadata: { actor: 'legacy-import', correlationId: randomUUID(), at: new Date().toISOString() },
        },
      ],
      { expectedVersion: 'no_stream' },
    );

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcs-cli-usernames-'));
    const svc = await start();
    expect((await svc.api.post('/v1/tenants/t-solo/mail-config', { username: 'solo' })).status).toBe(201);
    expect((await svc.api.post('/v1/tenants/t-first/mail-config', { username: 'shared' })).status).toBe(201);
    await projected(svc, 2);
    await svc.close();
    env = { ...svc.env, NODE_ENV: 'production' };
    delete env.LOG_LEVEL;
  }, 60_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(
    'finds no duplicates while every username is claimed once (exit 0)',
    async () => {
      const text = await runCli(['tenant', 'duplicates'], env);
      expect([text.code, text.stdout.trim()]).toEqual([0, 'no username is shared by two tenants']);
      const json = await runCli(['tenant', 'duplicates', '--json'], env);
      expect([json.code, json.json]).toEqual([0, { duplicates: [] }]);
    },
    CLI_TESTS_MS,
  );

  describe('after tenants were provisioned without a claim', () => {
    beforeAll(async () => {
      const svc = await start();
      // The claim was bypassed: the same address twice more, one in another case, and a pair of its own.
      await provisionedWithoutClaim(svc, 't-second', 'shared');
      await provisionedWithoutClaim(svc, 't-third', 'SHARED');
      await provisionedWithoutClaim(svc, 't-old-a', 'twice');
      await provisionedWithoutClaim(svc, 't-old-b', 'twice');
      expect((await svc.api.delete('/v1/tenants/t-old-a/mail-config')).status).toBe(200);
      await projected(svc, 6);
      await svc.close();
    }, 60_000);

    it(
      'lists each shared username with its tenants, first provisioned first, and exits 4',
      async () => {
        const json = await runCli(['tenant', 'duplicates', '--json'], env);
        expect(json.code).toBe(4);
        expect(json.json.duplicates).toEqual([
          {
            username: 'shared',
            tenants: [
              expect.objectContaining({ tenantId: 't-first', defaultAddress: 'support.shared@smemetrics-email.com' }),
              expect.objectContaining({ tenantId: 't-second', erased: false }),
              expect.objectContaining({ tenantId: 't-third', defaultAddress: 'support.SHARED@smemetrics-email.com' }),
            ],
          },
          {
            username: 'twice',
            tenants: [
              expect.objectContaining({ tenantId: 't-old-a', erased: true }),
              expect.objectContaining({ tenantId: 't-old-b', erased: false }),
            ],
          },
        ]);

        const text = await runCli(['tenant', 'duplicates'], env);
        expect(text.code).toBe(4);
        const lines = text.stdout.trim().split('\n');
        expect(lines).toHaveLength(2);
        expect(lines[0]).toMatch(/^shared: t-first \(support\.shared@smemetrics-email\.com, since \S+\), t-second /);
        expect(lines[1]).toMatch(/^twice: t-old-a \(.*, erased\), t-old-b /);
      },
      CLI_TESTS_MS,
    );

    it(
      'lists tenants with username, mode, status and sender, flagging shared usernames',
      async () => {
        const json = await runCli(['tenant', 'list', '--json'], env);
        expect(json.code).toBe(0);
        expect(json.json.nextCursor).toBeNull();
        const rows = Object.fromEntries(
          json.json.tenants.map((t: any) => [t.tenantId, [t.username, t.mode, t.status, t.duplicateUsername]]),
        );
        expect(rows).toEqual({
          't-first': ['shared', 'default', 'ok', true],
          't-second': ['shared', 'default', 'ok', true],
          't-third': ['SHARED', 'default', 'ok', true],
          't-old-a': ['twice', 'default', 'erased', true],
          't-old-b': ['twice', 'default', 'ok', true],
          't-solo': ['solo', 'default', 'ok', false],
        });

        const text = await runCli(['tenant', 'list', '--status', 'ok'], env);
        expect(text.code).toBe(0);
        const lines = text.stdout.trim().split('\n');
        expect(lines[0]).toMatch(/^TENANT\s+USERNAME\s+MODE\s+STATUS\s+SENDER$/);
        expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([
          't-first',
          't-old-b',
          't-second',
          't-solo',
          't-third',
        ]);
        expect(lines.find((l) => l.startsWith('t-solo'))).toMatch(
          /^t-solo\s+solo\s+default\s+ok\s+support\.solo@smemetrics-email\.com$/,
        );
        expect(lines.find((l) => l.startsWith('t-first'))).toMatch(/^t-first\s+shared \(shared!\)\s+default\s+ok\s/);
      },
      CLI_TESTS_MS,
    );

    it(
      'pages with --limit and --cursor, and refuses a limit past 500 (exit 2)',
      async () => {
        const first = await runCli(['tenant', 'list', '--limit', '4', '--json'], env);
        expect(first.json.tenants.map((t: any) => t.tenantId)).toEqual(['t-first', 't-old-a', 't-old-b', 't-second']);
        expect(first.stderr).toContain(`more tenants: add --cursor ${first.json.nextCursor}`);
        const next = await runCli(['tenant', 'list', '--limit', '4', '--cursor', first.json.nextCursor, '--json'], env);
        expect(next.json).toEqual({
          tenants: [expect.objectContaining({ tenantId: 't-solo' }), expect.anything()],
          nextCursor: null,
        });
        expect(next.json.tenants[1].tenantId).toBe('t-third');

        const tooMany = await runCli(['tenant', 'list', '--limit', '501'], env);
        expect(tooMany.code).toBe(2);
        expect(tooMany.stderr).toContain('--limit');
        const badMode = await runCli(['tenant', 'list', '--mode', 'pigeon'], env);
        expect(badMode.code).toBe(2);
      },
      CLI_TESTS_MS,
    );
  });
});
