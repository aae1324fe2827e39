import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, type TestService } from '../support/app';
import { runCli, runNpmCli } from '../support/cli-process';
import { closedPort, type Peer, PEER_PASSWORD, PEER_USER, startSmtpPeer } from '../support/smtp/peers';

/**
 * Every operator command run as its own process against a DATA_DIR a real service wrote,
 * checking what it prints and how it exits.
 */
describe('operator CLI', () => {
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('base64');
  const SMTP_PASSWORD = 'Cli-Test-Pa55word!';
  let svc: TestService;
  let dataDir: string;
  let env: Record<string, string>;
  const withSmtp = 't-cli-smtp';
  const plain = 't-cli-plain';
  const reachable = 't-cli-reachable';
  const unreachable = 't-cli-down';
  let peer: Peer;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcs-cli-'));
    peer = await startSmtpPeer({ starttls: 'none' });
    const downPort = await closedPort();
    // The embedded store even when the e2e suite runs on EventStoreDB: the CLI runs after the
    // service (and its store stand-in) stopped, on the files it left in DATA_DIR.
    svc = await startTestService({
      dataDir,
      env: {
        EVENTSTORE_CONNECTION_STRING: '',
        ENCRYPTION_KEYS: `k1:${k1}`,
        SMTP_ALLOWED_PORTS: `587,${peer.port},${downPort}`,
      },
    });
    expect(
      (await svc.api.post(`/v1/tenants/${withSmtp}/mail-config`, { username: 'acme' }, { 'X-Actor': 'ops@platform' }))
        .status,
    ).toBe(201);
    const smtp = { address: 'mailer@acme.example', host: 'smtp.acme.example', port: 587, password: SMTP_PASSWORD };
    expect((await svc.api.put(`/v1/tenants/${withSmtp}/mail-config/smtp`, smtp)).status).toBe(200);
    expect((await svc.api.post(`/v1/tenants/${plain}/mail-config`, { username: 'plain' })).status).toBe(201);
    for (const [tenant, port] of [
      [reachable, peer.port],
      [unreachable, downPort],
    ] as const) {
      expect((await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: tenant })).status).toBe(201);
      const settings = {
        address: PEER_USER,
        host: '127.0.0.1',
        port,
        security: 'none',
        username: PEER_USER,
        password: PEER_PASSWORD,
      };
      expect((await svc.api.put(`/v1/tenants/${tenant}/mail-config/smtp`, settings)).status).toBe(200);
    }
    await svc.close();
    // The environment an operator has: the service's own (store, DATA_DIR, keys).
    env = { ...svc.env, NODE_ENV: 'production' };
    delete env.LOG_LEVEL;
  }, 60_000);
  afterAll(async () => {
    await peer?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('tenant show', () => {
    it('prints the configuration for people, and the contract view with --json; never the password', async () => {
      const text = await runCli(['tenant', 'show', withSmtp], env);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^tenant\s+t-cli-smtp$/m);
      expect(text.stdout).toMatch(/^mode\s+default$/m);
      expect(text.stdout).toMatch(/^smtp\s+smtp\.acme\.example:587 \(starttls\)/m);

      const json = await runCli(['tenant', 'show', withSmtp, '--json'], env);
      expect(json.code).toBe(0);
      expect(json.json).toMatchObject({
        tenantId: withSmtp,
        mode: 'default',
        sender: 'support.acme@smemetrics-email.com',
        smtp: { host: 'smtp.acme.example', port: 587, passwordSet: true, credential: 'available' },
        version: 2,
      });
      expect(text.stdout + json.stdout + text.stderr + json.stderr).not.toContain(SMTP_PASSWORD);
    });

    it('shows the state at --at: before the SMTP settings existed', async () => {
      const history = (await runCli(['tenant', 'history', withSmtp, '--json'], env)).json;
      const res = await runCli(['tenant', 'show', withSmtp, '--at', history.events[0].at, '--json'], env);
      expect(res.code).toBe(0);
      expect(res.json).toMatchObject({ version: 1, smtp: null });
    });

    it('exits 3 for a tenant never provisioned, 2 for a bad tenant id, both with a message on stderr', async () => {
      const missing = await runCli(['tenant', 'show', 't-never', '--json'], env);
      expect(missing.code).toBe(3);
      expect(missing.stderr).toContain('has not been provisioned');
      expect(missing.json).toEqual({ error: expect.stringContaining('has not been provisioned'), exitCode: 3 });

      const bad = await runCli(['tenant', 'show', 'not a tenant!'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('tenant id');
      expect(bad.stdout).toBe('');
    });
  });

  describe('tenant history', () => {
    it('lists the events oldest first with their actor, secrets as [encrypted]', async () => {
      const res = await runCli(['tenant', 'history', withSmtp, '--json'], env);
      expect(res.code).toBe(0);
      expect(res.json.events.map((e: any) => [e.version, e.type])).toEqual([
        [1, 'MailConfigProvisioned'],
        [2, 'SmtpConfigured'],
      ]);
      expect(res.json.events[0].actor).toBe('ops@platform');
      expect(res.json.events[1].data.password).toBe('[encrypted]');

      const text = await runCli(['tenant', 'history', withSmtp, '--type', 'SmtpConfigured'], env);
      expect(text.code).toBe(0);
      expect(text.stdout.trim().split('\n')).toHaveLength(1);
      expect(text.stdout).toMatch(/^\s+2 {2}\S+ {2}SmtpConfigured/);
      expect(text.stdout).not.toContain(SMTP_PASSWORD);
    });

    it('exits 3 for an unknown tenant and 2 for a bad option', async () => {
      expect((await runCli(['tenant', 'history', 't-never'], env)).code).toBe(3);
      const bad = await runCli(['tenant', 'history', withSmtp, '--limit', 'lots'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--limit');
    });
  });

  describe('projections rebuild', () => {
    it('replays every event into the read models, with progress on stderr, and the dashboard then lists the tenants', async () => {
      const res = await runCli(['projections', 'rebuild', '--json'], env);
      expect(res.code).toBe(0);
      expect(res.json).toMatchObject({ events: 7, applied: 7 });
      expect(res.stderr).toContain('rebuilding read models');
      expect(res.stderr).toMatch(/rebuilt: 7 events/);

      const text = await runCli(['projections', 'rebuild'], env);
      expect(text.stdout).toMatch(/read models rebuilt from 7 events/);

      const after = await startTestService({
        dataDir,
        env: { EVENTSTORE_CONNECTION_STRING: '', ENCRYPTION_KEYS: `k1:${k1}` },
      });
      try {
        const tenants = await after.support.get('/v1/dashboard/tenants');
        expect(tenants.status).toBe(200);
        expect(tenants.body.tenants.map((t: any) => t.tenantId).sort()).toEqual(
          [plain, unreachable, reachable, withSmtp].sort(),
        );
      } finally {
        await after.close();
      }
    }, 60_000);
  });

  describe('smtp test', () => {
    it('tests the saved settings against the real server, delivers the test message and records the result', async () => {
      const res = await runCli(
        ['smtp', 'test', reachable, '--send-to', 'ops@example.org', '--actor', 'alice@platform', '--json'],
        env,
      );
      expect(res.code).toBe(0);
      expect(res.json).toMatchObject({ tenantId: reachable, ok: true, stage: 'done', durationMs: expect.any(Number) });
      expect(res.stderr).toContain(`testing the saved SMTP settings of ${reachable}`);
      expect(peer.logins).toContainEqual({ user: PEER_USER, ok: true });
      expect(peer.inbox.deliveries.map((d) => d.envelope.to)).toContainEqual(['ops@example.org']);

      const history = await runCli(['tenant', 'history', reachable, '--type', 'SmtpConnectionTested', '--json'], env);
      expect(history.json.events).toEqual([
        expect.objectContaining({
          actor: 'alice@platform',
          data: expect.objectContaining({ ok: true, stage: 'done' }),
        }),
      ]);
    });

    it('exits 4 with the stage and message when the test fails, 3 when there is nothing to test', async () => {
      const down = await runCli(['smtp', 'test', unreachable], env);
      expect(down.code).toBe(4);
      expect(down.stdout).toMatch(/^SMTP test of t-cli-down failed at connect after \d+ ms: /);
      expect(down.stdout + down.stderr).not.toContain(PEER_PASSWORD);

      const none = await runCli(['smtp', 'test', plain, '--json'], env);
      expect(none.code).toBe(3);
      expect(none.json.error).toContain('no saved SMTP configuration');
    });
  });

  // Last: it moves the data keys to k2, so the commands above (which run with k1) could no longer open them.
  describe('keys rotate', () => {
    it('re-wraps every data key under the new active key, after which the old key can be dropped', async () => {
      const onlyNew = { ...env, ENCRYPTION_KEYS: `k2:${k2}` };
      // Before: the SMTP password's data key is wrapped by k1, so a ring without k1 cannot open it.
      expect((await runCli(['tenant', 'show', withSmtp, '--json'], onlyNew)).json.smtp.credential).toBe('unavailable');

      const both = { ...env, ENCRYPTION_KEYS: `k1:${k1},k2:${k2}`, ENCRYPTION_ACTIVE_KEY_ID: 'k2' };
      const res = await runCli(['keys', 'rotate', '--json'], both);
      expect(res.code).toBe(0);
      // One data key per tenant with a secret: t-cli-smtp, t-cli-reachable, t-cli-down.
      expect(res.json).toEqual({ activeKeyId: 'k2', rewrapped: 3, remaining: 0, retirableKeyIds: ['k1'] });
      expect(res.stderr).toContain('re-wrapped 3/3 data keys');

      const again = await runCli(['keys', 'rotate'], both);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/^0 data key\(s\) re-wrapped/);

      expect((await runCli(['tenant', 'show', withSmtp, '--json'], onlyNew)).json.smtp.credential).toBe('available');
    });

    it('exits 5 naming the variable when the key ring is wrong, and never prints key material', async () => {
      const res = await runCli(['keys', 'rotate'], {
        ...env,
        ENCRYPTION_KEYS: `k1:${k1}`,
        ENCRYPTION_ACTIVE_KEY_ID: 'k9',
      });
      expect(res.code).toBe(5);
      expect(res.stderr).toContain('ENCRYPTION_ACTIVE_KEY_ID');
      expect(res.stderr + res.stdout).not.toContain(k1);
    });
  });

  it('is what `npm run cli -- …` runs (the package.json script): same output and exit codes', async () => {
    const shown = await runNpmCli(['tenant', 'show', plain, '--json'], env);
    expect(shown.code).toBe(0);
    expect(shown.json).toMatchObject({ tenantId: plain, mode: 'default' });
    expect((await runNpmCli(['tenant', 'show', 't-never'], env)).code).toBe(3);
  }, 120_000);

  it('exits 5 when DATA_DIR holds no service data and 2 for an unknown command', async () => {
    const nowhere = await runCli(['tenant', 'show', withSmtp], { DATA_DIR: join(dataDir, 'missing') });
    expect(nowhere.code).toBe(5);
    expect(nowhere.stderr).toContain('DATA_DIR');
    const unknown = await runCli(['tenants', 'list'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'tenants'");
  });
});
