import { handOffAt } from '../support/google/gmail-harness';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EsdbServer, startEsdbServer } from '../support/esdb/esdb-server';
import { GoogleStandIn } from '../support/google/google-stand-in';
import { APP_ORIGIN, REDIRECT_URI, RETURN_URL } from '../support/google/gmail-harness';
import { request } from '../support/http';
import { createTestDatabase, type TestDatabase } from '../support/postgres/database';
import { type ServiceProcess, spawnService } from '../support/service-process';
import { testCertificates } from '../support/smtp/certs';
import { type Peer, PEER_PASSWORD, PEER_USER, startSmtpPeer } from '../support/smtp/peers';

/**
 * Secrets in the replicated shape (EVENTSTORE_CONNECTION_STRING + DATABASE_URL): three service
 * processes on one EventStoreDB and one PostgreSQL, each with its own empty DATA_DIR. A secret
 * sealed by one instance opens on the others because the tenant's data key is in PostgreSQL, and
 * a Gmail grant finished on another instance than the one that started it is the tenant's, not
 * the instance's.
 */

const API_TOKEN = `sec-api-${randomBytes(12).toString('hex')}`;
const SUPPORT_TOKEN = `sec-support-${randomBytes(12).toString('hex')}`;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const SPAWN_TIMEOUT_MS = 90_000;
const ACCOUNT = 'owner@acme-mail.test';
/** The read models still live in SQLite under DATA_DIR until they move to PostgreSQL (in progress elsewhere). */

describe('the replicated shape: secrets and grants shared by three instances (real processes)', () => {
  let esdb: EsdbServer;
  let database: TestDatabase;
  let peer: Peer;
  let google: GoogleStandIn;
  const instances: Array<{ service: ServiceProcess; dataDir: string }> = [];
  const [A, B, C] = [0, 1, 2];
  const at = (i: number) => instances[i].service;
  const call = (service: ServiceProcess, method: string, path: string, body?: unknown) =>
    request(method, service.url + path, { token: API_TOKEN, body });
  const provisioned = async (prefix: string) => {
    const tenant = `${prefix}-${randomBytes(4).toString('hex')}`;
    expect((await call(at(A), 'POST', `/v1/tenants/${tenant}/mail-config`, { username: tenant })).status).toBe(201);
    return tenant;
  };

  beforeAll(async () => {
    [esdb, database, peer, google] = await Promise.all([
      startEsdbServer(),
      createTestDatabase('secrets'),
      startSmtpPeer(),
      GoogleStandIn.start({ redirectUri: REDIRECT_URI, account: ACCOUNT }),
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
      SMTP_ALLOWED_PORTS: String(peer.port),
      SMTP_EXTRA_CA_FILE: testCertificates().caFile,
    });
    const dirs = [A, B, C].map(() => mkdtempSync(join(tmpdir(), 'mcs-secrets-')));
    const started = await Promise.all(dirs.map((dir) => spawnService(env(dir), SPAWN_TIMEOUT_MS)));
    started.forEach((service, i) => instances.push({ service, dataDir: dirs[i] }));
  }, 2 * SPAWN_TIMEOUT_MS);

  afterAll(async () => {
    for (const { service } of instances) service.kill();
    await Promise.all([esdb?.stop(), peer?.close(), google?.close(), database?.drop()]);
    for (const { dataDir } of instances) rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens an SMTP password saved through A on B and C: the Test button reaches done, the peer checked it', async () => {
    const tenant = await provisioned('smtp');
    const saved = await call(at(A), 'PUT', `/v1/tenants/${tenant}/mail-config/smtp`, {
      address: 'help@acme.example',
      password: PEER_PASSWORD,
      host: 'localhost',
      port: peer.port,
      security: 'starttls',
      username: PEER_USER,
      activate: true,
    });
    expect(saved.status).toBe(200);
    for (const other of [B, C]) {
      const logins = peer.logins.length;
      const tested = await call(at(other), 'POST', `/v1/tenants/${tenant}/mail-config/smtp/test`);
      expect(tested.status).toBe(200);
      expect(tested.body).toMatchObject({ ok: true, stage: 'done' });
      // The peer accepts only the right password: what B and C unsealed is what A sealed.
      expect(peer.logins.slice(logins)).toEqual([{ user: PEER_USER, ok: true }]);
    }
  });

  it('sends from A and from C with a Gmail consent started on A and completed on B', async () => {
    const tenant = await provisioned('gmail');
    const started = await call(at(A), 'POST', `/v1/tenants/${tenant}/mail-config/gmail/authorizations`, {
      returnUrl: RETURN_URL,
    });
    expect(started.status).toBe(201);
    // The browser leg: Google's consent screen redirects to our callback, which the balancer hands to B.
    // The browser opens the hand-off link on A (its consent cookie set there), and comes back to B.
    const handed = await handOffAt(at(A).url, started.body.authorizationUrl);
    const atGoogle = await fetch(handed.location!, { redirect: 'manual' });
    const callback = new URL(atGoogle.headers.get('location')!);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    const completed = await request('GET', `${at(B).url}${callback.pathname}${callback.search}`, {
      token: null,
      headers: { cookie: handed.cookie! },
    });
    expect(completed.status).toBe(302);
    expect(new URL(completed.headers.get('location')!).searchParams.get('gmail')).toBe('authorized');

    for (const sender of [A, C]) {
      const subject = `from instance ${'ABC'[sender]} ${tenant}`;
      const res = await call(at(sender), 'POST', `/v1/tenants/${tenant}/messages`, {
        to: ['customer@example.org'],
        subject,
        text: 'Sent with a grant completed elsewhere.',
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ mode: 'gmail', from: ACCOUNT, fallback: null });
      const arrived = google.sent.filter((m) => m.parsed.messageId === res.body.messageId);
      expect(arrived).toHaveLength(1);
      expect(arrived[0]).toMatchObject({ account: ACCOUNT, from: ACCOUNT, to: ['customer@example.org'], subject });
    }
  });

  it('leaves every DATA_DIR empty after the suite: nothing of the replicated shape lives there', () => {
    for (const { dataDir } of instances) {
      expect({ dataDir, files: readdirSync(dataDir) }).toEqual({ dataDir, files: [] });
    }
  });
});
