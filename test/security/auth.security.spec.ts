import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/infrastructure/config/config';
import { sameToken } from '../../src/interfaces/http/common/static-token.authenticator';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { client, request } from '../support/http';
import { expectProblem, forbidden, recordsNothing, signJwt, smtpSettings, unauthorized } from './hostile';

const SECRET = 'hs256-shared-secret-of-the-main-application-0123456789';
const now = () => Math.floor(Date.now() / 1000);
const hs = (claims: Record<string, unknown>) => signJwt(claims, { alg: 'HS256', secret: SECRET });
const NOT_THIS_TENANT = forbidden('This token is not valid for that tenant');
const SUPPORT_READ_ONLY = forbidden('Support staff may read tenant configuration but not change it');

describe('item 6: hostile callers: JWTs and static tokens (HS256)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ env: { JWT_SECRET: SECRET } });
  });
  afterAll(async () => svc.close());

  const as = (token: string) => client(svc.url, token);

  it('lets a JWT with a tenant claim act on that tenant, with its subject as the default actor', async () => {
    const a = uniqueTenant('a');
    const jwt = as(hs({ sub: 'app-user-7', tenant: a }));
    const res = await jwt.post(`/v1/tenants/${a}/mail-config`, { username: uniqueTenant('acme') });
    expect(res.status).toBe(201);
    const history = await jwt.get(`/v1/tenants/${a}/mail-config/history`);
    expect(history.body.events).toEqual([
      expect.objectContaining({ type: 'MailConfigProvisioned', actor: 'jwt:app-user-7' }),
    ]);
  });

  it('answers 403 to a JWT for tenant A on every route of tenant B, and records nothing', async () => {
    const a = uniqueTenant('a');
    const b = uniqueTenant('b');
    expect((await svc.api.post(`/v1/tenants/${b}/mail-config`, { username: 'bravo' })).status).toBe(201);
    const jwt = as(hs({ sub: 'u', tenant: a }));
    await recordsNothing(svc, async () => {
      for (const res of [
        await jwt.post(`/v1/tenants/${b}/mail-config`, { username: uniqueTenant('acme') }),
        await jwt.get(`/v1/tenants/${b}/mail-config`),
        await jwt.get(`/v1/tenants/${b}/mail-config/history`),
        await jwt.put(`/v1/tenants/${b}/mail-config/mode`, { mode: 'default' }),
        await jwt.put(`/v1/tenants/${b}/mail-config/smtp`, smtpSettings()),
        await jwt.delete(`/v1/tenants/${b}/mail-config`),
      ]) {
        expect(res.status).toBe(403);
        expectProblem(res, NOT_THIS_TENANT);
      }
    });
    // The tenant id is compared exactly: another spelling of B is still not A.
    const upper = await jwt.get(`/v1/tenants/${a.toUpperCase()}/mail-config`);
    expectProblem(upper, NOT_THIS_TENANT);
  });

  it.each([
    ['expired', () => hs({ tenant: 't-x', exp: Math.floor(Date.now() / 1000) - 60 })],
    ['not yet valid', () => hs({ tenant: 't-x', nbf: Math.floor(Date.now() / 1000) + 600 })],
    ['signed with another secret', () => signJwt({ tenant: 't-x' }, { alg: 'HS256', secret: `${SECRET}-not` })],
    ['unsigned (alg none)', () => signJwt({ tenant: 't-x' }, { alg: 'none' })],
    [
      'tampered after signing',
      () => {
        const [h, , s] = hs({ tenant: 't-other' }).split('.');
        return `${h}.${Buffer.from(JSON.stringify({ tenant: 't-x', exp: 9999999999 })).toString('base64url')}.${s}`;
      },
    ],
    ['without a tenant or a role', () => hs({ sub: 'u' })],
    ['with a tenant claim that is not a tenant id', () => hs({ tenant: '../t-x' })],
    ['with a tenant claim that is not a string', () => hs({ tenant: ['t-x'] })],
    ['truncated', () => hs({ tenant: 't-x' }).slice(0, -5)],
    ['not a JWT at all', () => 'a.b'],
    // Issue 18 item 6: tokens that never end, or claim to come from the future, are refused.
    ['without exp', () => hs({ tenant: 't-x', exp: undefined })],
    [
      'with exp but no iat, lasting longer than JWT_MAX_AGE',
      () => hs({ tenant: 't-x', iat: undefined, exp: now() + 7200 }),
    ],
    ['with a lifetime over JWT_MAX_AGE', () => hs({ tenant: 't-x', iat: now(), exp: now() + 3600 + 300 })],
    ['issued in the future', () => hs({ tenant: 't-x', iat: now() + 600, exp: now() + 900 })],
    ['with a non-numeric exp', () => hs({ tenant: 't-x', exp: '9999999999' })],
  ])('answers 401 to a JWT %s, records nothing and does not say why', async (_, token) => {
    const res = await recordsNothing(svc, () =>
      as(token()).post('/v1/tenants/t-x/mail-config', { username: uniqueTenant('acme') }),
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expectProblem(res, unauthorized);
  });

  it('accepts a JWT issued a little in the future or just expired, within the clock skew', async () => {
    const t = uniqueTenant();
    const early = as(hs({ sub: 'skewed', tenant: t, iat: now() + 30, exp: now() + 330 }));
    expect((await early.post(`/v1/tenants/${t}/mail-config`, { username: uniqueTenant('acme') })).status).toBe(201);
    const late = as(hs({ sub: 'skewed', tenant: t, iat: now() - 330, exp: now() - 30 }));
    expect((await late.get(`/v1/tenants/${t}/mail-config`)).status).toBe(200);
  });

  it('lets a JWT with role support read a tenant but not change it', async () => {
    const t = uniqueTenant();
    expect((await svc.api.post(`/v1/tenants/${t}/mail-config`, { username: uniqueTenant('acme') })).status).toBe(201);
    const support = as(hs({ sub: 'agent-1', role: 'support' }));
    expect((await support.get(`/v1/tenants/${t}/mail-config`)).status).toBe(200);
    await recordsNothing(svc, async () => {
      const change = await support.put(`/v1/tenants/${t}/mail-config/mode`, { mode: 'default' });
      expect(change.status).toBe(403);
      expectProblem(change, SUPPORT_READ_ONLY);
    });
  });

  it('answers 403 to the support token on every main-application command, and records nothing', async () => {
    const t = uniqueTenant();
    expect((await svc.api.post(`/v1/tenants/${t}/mail-config`, { username: uniqueTenant('acme') })).status).toBe(201);
    await recordsNothing(svc, async () => {
      for (const res of [
        await svc.support.post(`/v1/tenants/${uniqueTenant()}/mail-config`, { username: uniqueTenant('acme') }),
        await svc.support.put(`/v1/tenants/${t}/mail-config/mode`, { mode: 'default' }),
        await svc.support.put(`/v1/tenants/${t}/mail-config/smtp`, smtpSettings()),
        await svc.support.delete(`/v1/tenants/${t}/mail-config`),
      ]) {
        expect(res.status).toBe(403);
        expectProblem(res, SUPPORT_READ_ONLY);
      }
    });
  });

  it('never writes a token into a log line', async () => {
    const token = hs({ sub: 'log-check', tenant: 'never-logged' });
    await as(token).get('/v1/tenants/never-logged/mail-config');
    await request('GET', `${svc.url}/v1/tenants/never-logged/mail-config`, { token: `${token}x` });
    const logs = svc.logs.join('\n');
    for (const secret of [token, token.split('.')[2], svc.apiToken, svc.supportToken, SECRET])
      expect(logs).not.toContain(secret);
  });

  it('compares static tokens in constant time without tripping over different lengths', () => {
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abc', 'abcd')).toBe(false);
    expect(sameToken('', 'abc')).toBe(false);
  });
});

describe('item 6: hostile callers: RS256 JWTs with issuer and audience', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const dir = mkdtempSync(join(tmpdir(), 'mcs-jwt-'));
  const keyFile = join(dir, 'jwt.pub.pem');
  writeFileSync(keyFile, publicPem);
  const claims = (extra: Record<string, unknown> = {}) => ({
    tenant: 't-rs',
    iss: 'https://app.example',
    aud: 'mail-config',
    ...extra,
  });
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({
      env: { JWT_PUBLIC_KEY: keyFile, JWT_ISSUER: 'https://app.example', JWT_AUDIENCE: 'mail-config' },
    });
  });
  afterAll(async () => svc.close());

  const post = (token: string, tenant = 't-rs') =>
    request('POST', `${svc.url}/v1/tenants/${tenant}/mail-config`, { token, body: { username: uniqueTenant('acme') } });

  it('accepts a token signed with the private key, for the right issuer and audience', async () => {
    const tenant = uniqueTenant();
    const res = await post(signJwt(claims({ tenant }), { alg: 'RS256', privateKey }), tenant);
    expect(res.status).toBe(201);
  });

  it.each([
    ['from another issuer', () => signJwt(claims({ iss: 'https://evil.example' }), { alg: 'RS256', privateKey })],
    ['for another audience', () => signJwt(claims({ aud: 'someone-else' }), { alg: 'RS256', privateKey })],
    ['without an audience', () => signJwt(claims({ aud: undefined }), { alg: 'RS256', privateKey })],
    ['signed with another private key', () => signJwt(claims(), { alg: 'RS256', privateKey: other.privateKey })],
    // Algorithm confusion: HS256 keyed with the public key, which an attacker knows.
    ['HMAC-signed with the public key', () => signJwt(claims(), { alg: 'HS256', secret: publicPem })],
    ['unsigned (alg none)', () => signJwt(claims(), { alg: 'none' })],
  ])('answers 401 to a token %s and records nothing', async (_, token) => {
    const res = await recordsNothing(svc, () => post(token()));
    expect(res.status).toBe(401);
    expectProblem(res, unauthorized);
  });

  it('still accepts the static API token next to JWTs', async () => {
    expect(
      (await svc.api.post(`/v1/tenants/${uniqueTenant()}/mail-config`, { username: uniqueTenant('acme') })).status,
    ).toBe(201);
  });
});

describe('item 6: JWT and rate limit configuration', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();

  it.each([
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET: must be at least 32 characters'],
    [{ JWT_SECRET: SECRET, JWT_MAX_AGE: '1h' }, 'JWT_MAX_AGE: must be a number of seconds from 1 to 86400, got "1h"'],
    [{ JWT_SECRET: SECRET, JWT_PUBLIC_KEY: rsa }, 'JWT_PUBLIC_KEY: set either JWT_SECRET or JWT_PUBLIC_KEY, not both'],
    [
      { JWT_PUBLIC_KEY: '/nonexistent/jwt.pem' },
      'JWT_PUBLIC_KEY: must be a PEM public key or the path of a file holding one',
    ],
    [{ JWT_PUBLIC_KEY: ec }, 'JWT_PUBLIC_KEY: is not an RSA public key in PEM format'],
    [
      { JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----' },
      'JWT_PUBLIC_KEY: is not an RSA public key in PEM format',
    ],
    [{ THROTTLE_SEND: 'lots' }, 'THROTTLE_SEND: must look like <limit>/<seconds> with both at least 1, got "lots"'],
    [
      { THROTTLE_SMTP_TEST: '0/60' },
      'THROTTLE_SMTP_TEST: must look like <limit>/<seconds> with both at least 1, got "0/60"',
    ],
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(() => parseConfig(env)).toThrow(new Error(message));
  });

  it('reads a one-line PEM with escaped newlines, and the limits', () => {
    const config = parseConfig({ JWT_PUBLIC_KEY: rsa.replace(/\n/g, '\\n'), THROTTLE_SEND: '5/10' });
    expect(config.jwt).toEqual({ algorithm: 'RS256', key: rsa, issuer: null, audience: null, maxAgeSeconds: 3600 });
    expect(config.rateLimits.send).toEqual({ limit: 5, windowSeconds: 10 });
    expect(parseConfig({}).jwt).toBeNull();
  });
});
