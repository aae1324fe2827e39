import { readdirSync, statSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE } from '../../src/application/ports/event-store.port';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { request } from '../support/http';
import { expectProblem, recordsNothing, unauthorized } from './hostile';

/** Issue #18 item 12: the lower defects, each reproduced and now refused cleanly. */
describe('item 12: lower defects of the hostile review', () => {
  const root = mkdtempSync(join(tmpdir(), 'mcs-lower-'));
  const dataDir = join(root, 'created', 'by-the-service');
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ dataDir });
  });
  afterAll(async () => {
    await svc?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('a malformed %-escape in the dashboard cookie is 401, not 500', async () => {
    for (const path of ['/v1/dashboard/tenants', '/v1/audit/events']) {
      const res = await request('GET', svc.url + path, { headers: { cookie: 'mcs_support=%E0%A4%A' } });
      expect(res.status).toBe(401);
      expectProblem(res, unauthorized);
    }
  });

  it('a cursor past int64 is a 400 naming cursor, not a 500', async () => {
    const cursor = (raw: string) => Buffer.from(raw).toString('base64url');
    const tenant = uniqueTenant();
    expect((await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: 'cursor' })).status).toBe(201);
    for (const [client, path] of [
      [svc.support, `/v1/audit/events?cursor=${cursor('p:9223372036854775808')}`],
      [svc.support, `/v1/audit/events?cursor=${cursor('p:9999999999999999999')}`],
      [svc.api, `/v1/tenants/${tenant}/mail-config/history?cursor=${cursor('v:99999999999999999999999')}`],
    ] as const) {
      const res = await client.get(path);
      expect([path, res.status, res.body.errors?.[0]?.field]).toEqual([path, 400, 'cursor']);
    }
    // The largest int64 is still a cursor this service could have issued: an empty page, not a refusal.
    const last = await svc.support.get(`/v1/audit/events?cursor=${cursor('p:9223372036854775807')}`);
    expect(last.status).toBe(200);
  });

  it.each(['.', 'a..b', 'x.', '.x'])(
    'the username %s, which would make an invalid sender address, is refused with 400 and nothing recorded',
    async (username) => {
      const res = await recordsNothing(svc, () =>
        svc.api.post(`/v1/tenants/${uniqueTenant()}/mail-config`, { username }),
      );
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        { field: 'username', message: 'username must not start or end with "." or hold ".."' },
      ]);
    },
  );

  it('usernames with dots inside still work', async () => {
    const res = await svc.api.post(`/v1/tenants/${uniqueTenant()}/mail-config`, { username: 'acme.support-1' });
    expect(res.status).toBe(201);
    expect(res.body.default.address).toBe('support.acme.support-1@smemetrics-email.com');
  });

  it.each([
    ['a right-to-left override', 'ana\u202Egro.emca@'],
    ['a zero-width joiner', 'ana\u200D'],
  ])('an X-Actor holding %s is refused with 400, nothing recorded', async (_, actor) => {
    const res = await recordsNothing(svc, () =>
      svc.api.post(
        `/v1/tenants/${uniqueTenant()}/mail-config`,
        { username: uniqueTenant('acme') },
        {
          'X-Actor': Buffer.from(actor, 'utf8').toString('latin1'),
        },
      ),
    );
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'X-Actor', message: 'X-Actor must be UTF-8 text without control or format characters' },
    ]);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'a body with the inherited name %s is refused like any unknown property, nothing recorded',
    async (name) => {
      const t = uniqueTenant();
      const res = await recordsNothing(svc, () =>
        request('POST', `${svc.url}/v1/tenants/${t}/mail-config`, {
          token: svc.apiToken,
          rawBody: `{"username":"acme","${name}":{"x":1}}`,
        }),
      );
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: name, message: `property ${name} should not exist` }]);
    },
  );

  it('keeps the authenticated caller beside X-Actor in every event, in history and audit: an actor cannot pose as the credential', async () => {
    const tenant = uniqueTenant('actor');
    const posed = await svc.api.post(
      `/v1/tenants/${tenant}/mail-config`,
      { username: tenant.toLowerCase() },
      { 'X-Actor': 'support' },
    );
    expect(posed.status).toBe(201);
    const history = await svc.api.get(`/v1/tenants/${tenant}/mail-config/history`);
    expect(history.body.events).toEqual([
      expect.objectContaining({ type: 'MailConfigProvisioned', actor: 'support', authenticatedAs: 'main-application' }),
    ]);
    const audit = await svc.support.get(`/v1/audit/events?tenantId=${tenant}`);
    expect(audit.status).toBe(200);
    expect(audit.body.events).toEqual([
      expect.objectContaining({ actor: 'support', authenticatedAs: 'main-application' }),
    ]);
    // Stored as metadata beside the contract's { actor, correlationId, at }, which keep their names.
    const [stored] = await svc.running.app.get(EVENT_STORE).readStream(`mailConfig-${tenant}`);
    expect(stored.metadata).toMatchObject({ actor: 'support', authenticatedAs: 'main-application' });
    expect(Object.keys(stored.metadata)).toEqual(expect.arrayContaining(['actor', 'correlationId', 'at']));
  });

  it('creates DATA_DIR readable by the service’s user only (0700)', () => {
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  it('creates every file (SQLite db, WAL and shm, keys, outbox .eml) readable by its user only, whatever the umask', async () => {
    const before = process.umask(0o022);
    try {
      const tenant = uniqueTenant('files');
      expect((await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: tenant.toLowerCase() })).status).toBe(
        201,
      );
      const sent = await svc.api.post(`/v1/tenants/${tenant}/messages`, {
        to: ['customer@example.org'],
        subject: 'files',
        text: 'kept private',
      });
      expect(sent.status).toBe(200);
    } finally {
      process.umask(before);
    }
    const files = filesUnder(dataDir);
    expect(files.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'events.db',
        'events.db-wal',
        'events.db-shm',
        'keys.db',
        'read-models.db',
        'master.key',
        expect.stringMatching(/\.eml$/),
      ]),
    );
    expect(files.filter((f) => (f.mode & 0o077) !== 0)).toEqual([]);
  });
});

function filesUnder(dir: string): { name: string; path: string; mode: number }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory()
      ? [{ name: `${entry.name}/`, path, mode: statSync(path).mode & 0o777 }, ...filesUnder(path)]
      : [{ name: entry.name, path, mode: statSync(path).mode & 0o777 }];
  });
}

describe('item 12: /metrics on an internal port of its own (METRICS_PORT)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ env: { METRICS_PORT: '0' } });
  });
  afterAll(() => svc?.close());

  it('serves /metrics on METRICS_PORT only: the public port answers 404 and shows no metric', async () => {
    const pub = await request('GET', `${svc.url}/metrics`, { token: null });
    expect(pub.status).toBe(404);
    expect(pub.text).not.toContain('mail_config_');
    const internal = await request('GET', `${svc.running.metricsUrl!}/metrics`, { token: null });
    expect(internal.status).toBe(200);
    expect(internal.text).toContain('# TYPE mail_config_');
    expect((await request('GET', `${svc.running.metricsUrl!}/health/ready`, { token: null })).status).toBe(404);
    expect((await request('GET', `${svc.url}/health/live`, { token: null })).status).toBe(200);
  });
});
