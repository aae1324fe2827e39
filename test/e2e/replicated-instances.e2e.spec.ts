import { handOffAt } from '../support/google/gmail-harness';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type EsdbServer, startEsdbServer } from '../support/esdb/esdb-server';
import { GoogleStandIn } from '../support/google/google-stand-in';
import { APP_ORIGIN, REDIRECT_URI, RETURN_URL } from '../support/google/gmail-harness';
import { type HttpResponse, request } from '../support/http';
import { createTestDatabase, type TestDatabase } from '../support/postgres/database';
import { type ServiceProcess, spawnService } from '../support/service-process';
import { testCertificates } from '../support/smtp/certs';
import { type Peer, PEER_PASSWORD, PEER_USER, startSmtpPeer } from '../support/smtp/peers';

/**
 * Three service processes of the replicated shape (EVENTSTORE_CONNECTION_STRING + DATABASE_URL)
 * on one EventStoreDB and one PostgreSQL, driven round-robin as a load balancer would: one
 * Idempotency-Key sends once whichever instances the copies reach, a rate limit is one budget,
 * the Gmail consent check runs once per interval across them, and no instance writes to its
 * DATA_DIR.
 */

const API_TOKEN = `inst-api-${randomBytes(12).toString('hex')}`;
const SUPPORT_TOKEN = `inst-support-${randomBytes(12).toString('hex')}`;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const SPAWN_TIMEOUT_MS = 90_000;
const CONSENT_CHECK_INTERVAL_S = 2;
/** What readmodels is moving to PostgreSQL in parallel; everything else must stay out of DATA_DIR. */
const MOVING_ELSEWHERE = /^read-models\.db/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe('the replicated shape: three interchangeable instances (real processes)', () => {
  let esdb: EsdbServer;
  let database: TestDatabase;
  let peer: Peer;
  /** Takes the message, then never answers: the send is in flight until its instance dies. */
  let hanging: Peer;
  let google: GoogleStandIn;
  const instances: Array<{ service: ServiceProcess; dataDir: string }> = [];
  let next = 0;

  /** Round-robin, as a load balancer hands out requests. */
  const any = () => instances[next++ % instances.length].service;
  const call = (
    service: ServiceProcess,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => request(method, service.url + path, { token: API_TOKEN, body, headers });

  const provisionWithSmtp = async (tenant: string, port = peer.port) => {
    expect((await call(any(), 'POST', `/v1/tenants/${tenant}/mail-config`, { username: tenant })).status).toBe(201);
    const saved = await call(any(), 'PUT', `/v1/tenants/${tenant}/mail-config/smtp`, {
      address: 'help@acme.example',
      password: PEER_PASSWORD,
      host: 'localhost',
      port,
      security: 'starttls',
      username: PEER_USER,
      activate: true,
    });
    expect(saved.status).toBe(200);
  };

  beforeAll(async () => {
    [esdb, database, peer, hanging, google] = await Promise.all([
      startEsdbServer(),
      createTestDatabase('instances'),
      startSmtpPeer(),
      startSmtpPeer({ hangAfterData: true }),
      GoogleStandIn.start({ redirectUri: REDIRECT_URI }),
    ]);
    const env = (dataDir: string): Record<string, string> => ({
      ...google.env(),
      OAUTH_RETURN_URL_ORIGINS: APP_ORIGIN,
      DATA_DIR: dataDir,
      EVENTSTORE_CONNECTION_STRING: esdb.connectionString,
      DATABASE_URL: database.url,
      ENCRYPTION_KEY,
      API_TOKEN,
      SUPPORT_TOKEN,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      SMTP_ALLOW_PRIVATE_HOSTS: 'true',
      SMTP_ALLOWED_PORTS: `${peer.port},${hanging.port}`,
      SMTP_EXTRA_CA_FILE: testCertificates().caFile,
      THROTTLE_SMTP_TEST: '3/60',
      GMAIL_CONSENT_CHECK_INTERVAL: String(CONSENT_CHECK_INTERVAL_S),
    });
    // Started together: the schema migrations must be safe when several instances start at once.
    const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), 'mcs-instance-')));
    const started = await Promise.all(dirs.map((dir) => spawnService(env(dir), SPAWN_TIMEOUT_MS)));
    started.forEach((service, i) => instances.push({ service, dataDir: dirs[i] }));
  }, 2 * SPAWN_TIMEOUT_MS);

  afterAll(async () => {
    for (const { service } of instances) service.kill();
    await Promise.all([esdb?.stop(), peer?.close(), hanging?.close(), google?.close(), database?.drop()]);
    for (const { dataDir } of instances) rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers one message for one Idempotency-Key sent concurrently to all three, with one messageId', async () => {
    const tenant = `idem-${randomBytes(4).toString('hex')}`;
    await provisionWithSmtp(tenant);
    for (let round = 0; round < 3; round++) {
      const subject = `once ${tenant} #${round}`;
      const headers = { 'Idempotency-Key': `order-${tenant}-${round}` };
      const body = { to: ['customer@example.org'], subject, text: 'Sent once, whoever answers.' };
      const send = (service: ServiceProcess) => call(service, 'POST', `/v1/tenants/${tenant}/messages`, body, headers);
      const answers = await Promise.all(instances.map(({ service }) => send(service)));
      // A 409 "in progress" is answered with Retry-After; the retry gets the first outcome.
      const final: HttpResponse[] = [];
      for (const [i, answer] of answers.entries()) {
        let res = answer;
        for (let retry = 0; res.status === 409 && retry < 20; retry++) {
          expect(res.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
          expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
          await sleep(500);
          res = await send(instances[i].service);
        }
        final.push(res);
      }
      expect(final.map((r) => r.status)).toEqual([200, 200, 200]);
      const ids = new Set(final.map((r) => r.body.messageId));
      expect(ids.size).toBe(1);
      expect(final.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(2);
      await peer.inbox.waitFor(round + 1);
      // Room for a second delivery, were one on its way.
      await sleep(300);
      const delivered = peer.inbox.deliveries.filter((d) => d.mail.subject === subject);
      expect(delivered).toHaveLength(1);
      expect(delivered[0].mail.messageId).toBe([...ids][0]);
    }
  });

  it('answers 429 to the fourth SMTP test of a minute whichever instance gets it', async () => {
    const tenant = `limit-${randomBytes(4).toString('hex')}`;
    await provisionWithSmtp(tenant);
    const test = (service: ServiceProcess) => call(service, 'POST', `/v1/tenants/${tenant}/mail-config/smtp/test`);
    // The Test the activation ran was the first of the three.
    for (const { service } of instances.slice(1)) {
      const res = await test(service);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: true, stage: 'done' });
    }
    for (const { service } of instances) {
      const res = await test(service);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.body).toMatchObject({ status: 429, detail: expect.stringContaining('at most 3 per 60 s') });
    }
    // Another tenant's budget is its own.
    const other = `limit-${randomBytes(4).toString('hex')}`;
    await provisionWithSmtp(other);
    expect((await call(any(), 'POST', `/v1/tenants/${other}/mail-config/smtp/test`)).status).toBe(200);
  });

  it('runs the Gmail consent check once per interval across the three instances', async () => {
    const tenant = `consent-${randomBytes(4).toString('hex')}`;
    const [a, b] = [instances[0].service, instances[1].service];
    expect((await call(a, 'POST', `/v1/tenants/${tenant}/mail-config`, { username: tenant })).status).toBe(201);
    // Consent started on A, completed on B.
    const started = await call(a, 'POST', `/v1/tenants/${tenant}/mail-config/gmail/authorizations`, {
      returnUrl: RETURN_URL,
    });
    expect(started.status).toBe(201);
    // The browser opens the hand-off link on A (its consent cookie set there), and comes back to B.
    const handed = await handOffAt(a.url, started.body.authorizationUrl);
    const atGoogle = await fetch(handed.location!, { redirect: 'manual' });
    const callback = new URL(atGoogle.headers.get('location')!);
    const completed = await request('GET', `${b.url}${callback.pathname}${callback.search}`, {
      token: null,
      headers: { cookie: handed.cookie! },
    });
    expect(completed.status).toBe(302);
    expect(new URL(completed.headers.get('location')!).searchParams.get('gmail')).toBe('authorized');

    const refreshesAt = () => google.tokenRequests.filter((r) => r.grantType === 'refresh_token').map((r) => r.at);
    const before = refreshesAt().length;
    const runs = await eventually('five consent checks', async () => {
      const at = refreshesAt().slice(before);
      return at.length >= 5 ? at.slice(0, 5) : undefined;
    });
    // Three instances on their own would refresh about three times per interval; one schedule
    // across them leaves at least an interval between runs (less the jitter of reaching Google).
    const gaps = runs.slice(1).map((t, i) => t - runs[i]);
    expect(Math.min(...gaps)).toBeGreaterThan(CONSENT_CHECK_INTERVAL_S * 1000 - 500);
    const ran = instances.map(({ service }) => service.stdout.filter((l) => l.includes('Gmail consent check:')).length);
    expect(ran.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(5);
  });

  it('honours a dashboard session at every instance, and its sign-out at one ends it at all (issue 18 item 7)', async () => {
    const [a, b, c] = instances.map((i) => i.service);
    const signIn = await request('POST', `${a.url}/dashboard/session`, { body: { token: SUPPORT_TOKEN } });
    expect(signIn.status).toBe(204);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    for (const s of [a, b, c]) {
      expect((await request('GET', `${s.url}/v1/dashboard/summary`, { headers: { cookie } })).status).toBe(200);
    }
    const out = await request('DELETE', `${b.url}/dashboard/session`, { headers: { cookie, origin: b.url } });
    expect(out.status).toBe(204);
    for (const s of [a, b, c]) {
      expect((await request('GET', `${s.url}/v1/dashboard/summary`, { headers: { cookie } })).status).toBe(401);
    }
  });

  it('writes nothing to any instance’s DATA_DIR: default-mode mail goes to outbox_messages in PostgreSQL', async () => {
    const tenant = `outbox-${randomBytes(4).toString('hex')}`;
    expect((await call(any(), 'POST', `/v1/tenants/${tenant}/mail-config`, { username: tenant })).status).toBe(201);
    const sent = await call(any(), 'POST', `/v1/tenants/${tenant}/messages`, {
      to: ['customer@example.org'],
      subject: `outbox ${tenant}`,
      text: 'No relay configured',
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ mode: 'default' });
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ raw: Buffer; envelope_to: string[] }>(
        'SELECT raw, envelope_to FROM outbox_messages WHERE message_id = $1',
        [sent.body.messageId],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].envelope_to).toEqual(['customer@example.org']);
      expect(rows[0].raw.toString()).toContain(`Subject: outbox ${tenant}`);
    } finally {
      await client.end();
    }
    // The earlier tests sent through SMTP, tested SMTP and ran consent checks on every instance.
    for (const { dataDir } of instances) {
      expect(readdirSync(dataDir).filter((f) => !MOVING_ELSEWHERE.test(f))).toEqual([]);
    }
  });

  it('answers the uncertain outcome, never sending again, once the instance holding a key died mid-send', async () => {
    const tenant = `crash-${randomBytes(4).toString('hex')}`;
    await provisionWithSmtp(tenant, hanging.port);
    const [survivor, doomed] = [instances[0].service, instances[2].service];
    const headers = { 'Idempotency-Key': `crash-${tenant}` };
    const body = { to: ['customer@example.org'], subject: `crash ${tenant}`, text: 'In flight when the lights go out' };
    const send = (service: ServiceProcess) => call(service, 'POST', `/v1/tenants/${tenant}/messages`, body, headers);
    const logins = hanging.logins.length;
    void send(doomed).catch(() => undefined);
    await eventually('the message handed to the server', async () =>
      hanging.logins.length > logins ? true : undefined,
    );
    await sleep(300);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const connections = hanging.connections;

    // While the dead owner's lease runs, the key is in progress; then its outcome is unknown.
    let res = await send(survivor);
    for (let i = 0; res.status === 409 && i < 60; i++) {
      expect(res.headers.get('retry-after')).toBeTruthy();
      await sleep(500);
      res = await send(survivor);
    }
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({
      type: expect.stringMatching(/delivery-uncertain$/),
      uncertain: true,
      stage: 'send',
    });
    expect(res.body.detail).toMatch(/interrupted while sending/);
    expect(hanging.connections).toBe(connections);
  }, 60_000);
});
