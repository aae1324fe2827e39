import { randomBytes } from 'node:crypto';
import { GmailHarness } from '../support/google/gmail-harness';
import { client, type HttpResponse, request } from '../support/http';
import { testCertificates } from '../support/smtp/certs';
import { type Peer, PEER_PASSWORD, PEER_USER, startSmtpPeer } from '../support/smtp/peers';
import { signJwt } from '../security/hostile';

const JWT_SECRET = `jwt-secret-${randomBytes(24).toString('hex')}`;
const API_TOKEN = `api-${randomBytes(24).toString('hex')}`;
const SUPPORT_TOKEN = `support-${randomBytes(24).toString('hex')}`;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const WRONG_PASSWORD = `Wrong-Pa55-${randomBytes(6).toString('hex')}`;
const IDEMPOTENCY_KEY = `idem-${randomBytes(12).toString('hex')}`;

/**
 * Every flow that handles a secret, run once against one service at debug level, then every
 * log line searched for every secret used. The flows: SMTP configure, test and send; Gmail
 * authorize, send and revoke (by the tenant and at Google); erasure; and callers that get refused.
 */
describe('no secret in any log line, across every flow', () => {
  let h: GmailHarness;
  let peer: Peer;
  const responses: string[] = [];
  const keep = <T extends HttpResponse>(res: T): T => {
    responses.push(`${res.status} ${JSON.stringify([...res.headers])} ${res.text}`);
    return res;
  };

  beforeAll(async () => {
    peer = await startSmtpPeer();
    h = await GmailHarness.start({
      env: {
        LOG_LEVEL: 'debug',
        API_TOKEN,
        SUPPORT_TOKEN,
        ENCRYPTION_KEY,
        JWT_SECRET,
        SMTP_ALLOWED_PORTS: String(peer.port),
        SMTP_EXTRA_CA_FILE: testCertificates().caFile,
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await peer?.close();
  });

  it('runs the flows, then finds none of their secrets in the logs (or in a response)', async () => {
    const { svc, google } = h;
    const tenant = await h.provisioned('logs');
    const jwt = signJwt({ sub: 'app-user', tenant }, { alg: 'HS256', secret: JWT_SECRET });
    const app = client(svc.url, jwt);
    const base = `/v1/tenants/${tenant}/mail-config`;
    const smtp = {
      address: 'help@acme.example',
      host: 'localhost',
      port: peer.port,
      security: 'starttls',
      username: PEER_USER,
    };

    // SMTP: a candidate with the wrong password, the right one saved, tested, and used to send.
    expect(keep(await app.post(`${base}/smtp/test`, { ...smtp, password: WRONG_PASSWORD })).body).toMatchObject({
      ok: false,
      stage: 'auth',
    });
    expect(keep(await app.put(`${base}/smtp`, { ...smtp, password: PEER_PASSWORD, activate: true })).status).toBe(200);
    expect(keep(await app.post(`${base}/smtp/test`)).body).toMatchObject({ ok: true, stage: 'done' });
    const sent = keep(
      await app.post(
        `/v1/tenants/${tenant}/messages`,
        { to: ['c@example.org'], subject: 'smtp', text: 't' },
        { 'Idempotency-Key': IDEMPOTENCY_KEY },
      ),
    );
    expect(sent.body).toMatchObject({ mode: 'smtp' });
    keep(
      await app.post(
        `/v1/tenants/${tenant}/messages`,
        { to: ['c@example.org'], subject: 'smtp', text: 't' },
        { 'Idempotency-Key': IDEMPOTENCY_KEY },
      ),
    );
    await peer.inbox.waitFor(1);

    // Gmail: authorize, send, revoke by the tenant; authorize again, revoked at Google, fallback.
    expect(await h.authorize(tenant)).toEqual({ gmail: 'authorized' });
    expect(keep(await h.send(tenant)).body).toMatchObject({ mode: 'gmail' });
    expect(keep(await app.delete(`${base}/gmail/authorization`)).status).toBe(200);
    expect(await h.authorize(tenant)).toEqual({ gmail: 'authorized' });
    google.revokeAccess();
    expect(keep(await h.send(tenant)).body.fallback).toEqual({ from: 'gmail', reason: 'grant_revoked' });

    // Refused callers and hostile bodies.
    keep(await request('GET', `${svc.url}${base}`, { token: `${jwt.slice(0, -3)}abc` }));
    keep(await request('GET', `${svc.url}${base}`, { token: `${API_TOKEN}x` }));
    keep(
      await request('PUT', `${svc.url}${base}/smtp`, { token: API_TOKEN, rawBody: `{"password": ${PEER_PASSWORD}}` }),
    );
    keep(await svc.support.get(`/v1/audit/events?tenantId=${tenant}&limit=500`));
    keep(await svc.support.get(`${base}/history?limit=500`));

    // Erasure, then commands on the erased tenant.
    expect(keep(await app.delete(base)).status).toBe(200);
    expect(keep(await app.post(`${base}/smtp/test`)).status).toBe(410);

    const secrets = [
      PEER_PASSWORD,
      WRONG_PASSWORD,
      API_TOKEN,
      SUPPORT_TOKEN,
      JWT_SECRET,
      jwt,
      jwt.split('.')[2],
      ENCRYPTION_KEY,
      IDEMPOTENCY_KEY,
      ...google.issuedSecrets(),
      ...google.clientSecrets(),
    ];
    expect(google.issuedSecrets().length).toBeGreaterThanOrEqual(7);
    expect(google.clientSecrets().length).toBeGreaterThanOrEqual(4);
    const logs = svc.logs.join('\n');
    // The search looked at real lines of these flows, not at an empty log.
    for (const route of ['/smtp/test', '/messages', '/gmail/authorization', '/v1/oauth/google/callback', '/history'])
      expect(logs).toContain(route);
    expect(svc.logs.filter((l) => l.includes(tenant)).length).toBeGreaterThanOrEqual(20);
    for (const secret of secrets) {
      expect(svc.logs.filter((line) => line.includes(secret))).toEqual([]);
      expect(responses.filter((r) => r.includes(secret))).toEqual([]);
    }
  });
});
