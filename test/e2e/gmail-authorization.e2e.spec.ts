import { createHash, randomBytes } from 'node:crypto';
import { EVENT_STORE } from '../../src/application/ports/event-store.port';
import { MasterKeyRing } from '../../src/infrastructure/crypto/key-ring';
import { SignedOAuthStateStore } from '../../src/infrastructure/oauth-state/signed-oauth-state.store';
import { GMAIL_SEND } from '../support/google/google-state';
import { APP_ORIGIN, GmailHarness, PUBLIC_ORIGIN, RETURN_URL } from '../support/google/gmail-harness';

describe('Gmail authorization over HTTP against the stand-in Google', () => {
  let h: GmailHarness;
  beforeAll(async () => {
    h = await GmailHarness.start();
  });
  afterAll(() => h.close());

  it('completes the consent round trip: gmail=authorized, and the view shows the account and mode gmail at once', async () => {
    const tenant = await h.provisioned();
    const started = await h.startAuthorization(tenant, RETURN_URL, { 'X-Actor': 'agent@acme.test' });
    expect(started.status).toBe(201);
    const trip = await h.followConsent(started.body.authorizationUrl);
    expect(trip.callbackStatus).toBe(302);
    expect(trip.callbackHeaders.get('cache-control')).toBe('no-store');
    expect(trip.location!.toString()).toBe(`${RETURN_URL}?gmail=authorized`);

    expect(await h.view(tenant)).toMatchObject({
      mode: 'gmail',
      sender: 'owner@acme-mail.test',
      gmail: {
        status: 'authorized',
        account: 'owner@acme-mail.test',
        scopes: ['openid', 'email', GMAIL_SEND],
        revokedAt: null,
      },
    });
    const history = await h.history(tenant);
    expect(history.map((e) => e.type)).toEqual(['MailConfigProvisioned', 'GmailAuthorized', 'ModeChanged']);
    const [, authorized, modeChanged] = history;
    // One append: consecutive versions, one correlation id, the actor who started the authorization.
    expect(modeChanged.version).toBe(authorized.version + 1);
    expect(modeChanged.correlationId).toBe(authorized.correlationId);
    expect(authorized.actor).toBe('agent@acme.test');
    expect(authorized.data).toMatchObject({ account: 'owner@acme-mail.test', refreshToken: '[encrypted]' });
    expect(modeChanged.data).toEqual({ from: 'default', to: 'gmail', reason: 'gmail_authorized' });
  });

  it('asks Google for exactly openid email gmail.send, offline, with a consent prompt, PKCE S256 and a 10-minute state', async () => {
    const tenant = await h.provisioned();
    const before = Date.now();
    const started = await h.startAuthorization(tenant);
    const after = Date.now();
    expect(started.status).toBe(201);
    expect(Object.keys(started.body).sort()).toEqual(['authorizationUrl', 'expiresAt']);
    // The authorizationUrl is a one-time link to this service, next to the redirect URI; it sends the browser on.
    const link = new URL(started.body.authorizationUrl);
    expect(`${link.origin}${link.pathname}`).toBe(`${PUBLIC_ORIGIN}/v1/oauth/google/authorize`);
    const handed = await h.handOff(started.body.authorizationUrl);
    expect(handed.status).toBe(302);
    const url = handed.location!;
    expect(`${url.origin}${url.pathname}`).toBe(h.google.env().GOOGLE_AUTH_URL);
    const q = Object.fromEntries(url.searchParams);
    expect(q).toEqual({
      client_id: h.google.client.clientId,
      redirect_uri: h.google.client.redirectUri,
      response_type: 'code',
      scope: `openid email ${GMAIL_SEND}`,
      access_type: 'offline',
      prompt: 'consent',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}\.\d+\.[A-Za-z0-9_-]{43}$/),
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
    });
    // Issued while the request was in flight, valid for 10 minutes from then (the state counts whole seconds).
    const issuedAt = Date.parse(started.body.expiresAt) - 10 * 60_000;
    expect(issuedAt).toBeGreaterThan(before - 1000);
    expect(issuedAt).toBeLessThanOrEqual(after);
    // The stand-in checks the verifier against this challenge at the token endpoint.
    expect((await h.followConsent(url.toString(), { cookie: handed.cookie })).location!.searchParams.get('gmail')).toBe(
      'authorized',
    );
  });

  it('answers 400 naming returnUrl for a foreign, malformed or credentialed returnUrl', async () => {
    const tenant = await h.provisioned();
    for (const returnUrl of [
      'https://evil.example/settings',
      'https://app.example.evil.example/',
      'https://user:pw@app.example/',
      'ftp://app.example/',
      'javascript:alert(1)',
    ]) {
      const res = await h.startAuthorization(tenant, returnUrl);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'returnUrl' })]);
    }
    expect((await h.startAuthorization(tenant, `${APP_ORIGIN}/other/page?x=1`)).status).toBe(201);
  });

  it('refuses a replayed state with state_invalid and records nothing more', async () => {
    const tenant = await h.provisioned();
    const started = await h.startAuthorization(tenant);
    const first = await h.followConsent(started.body.authorizationUrl);
    expect(first.location!.searchParams.get('gmail')).toBe('authorized');
    const versions = (await h.history(tenant)).length;
    const replay = await h.callback(first.callback);
    expect(replay.callbackStatus).toBe(302);
    expect(replay.location!.toString()).toBe(`${RETURN_URL}?gmail=error&reason=state_invalid`);
    expect(await h.history(tenant)).toHaveLength(versions);
  });

  it('keeps a used state used across a restart, and an unused one usable', async () => {
    const tenant = await h.provisioned();
    const used = await h.followConsent((await h.startAuthorization(tenant)).body.authorizationUrl);
    const unused = (await h.startAuthorization(tenant)).body.authorizationUrl;
    const versions = (await h.history(tenant)).length;
    await h.svc.restart();
    expect((await h.callback(used.callback)).location!.searchParams.get('reason')).toBe('state_invalid');
    expect(await h.history(tenant)).toHaveLength(versions);
    expect((await h.followConsent(unused)).location!.searchParams.get('gmail')).toBe('authorized');
  });

  it('refuses an expired state with state_invalid and records nothing', async () => {
    const tenant = await h.provisioned();
    const app = h.svc.running.app;
    // A state issued eleven minutes ago by this service (same store, same master key).
    const past = new SignedOAuthStateStore(app.get(EVENT_STORE), app.get(MasterKeyRing), {
      now: () => new Date(Date.now() - 11 * 60_000),
    });
    const verifier = randomBytes(32).toString('base64url');
    const issued = await past.issue(
      { tenantId: tenant, returnUrl: RETURN_URL, actor: 'agent', correlationId: 'c-1' },
      verifier,
    );
    const started = await h.startAuthorization(tenant);
    const handed = await h.handOff(started.body.authorizationUrl);
    const url = handed.location!;
    url.searchParams.set('state', issued.state);
    url.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
    const trip = await h.followConsent(url.toString(), { cookie: handed.cookie });
    expect(trip.location!.toString()).toBe(`${RETURN_URL}?gmail=error&reason=state_invalid`);
    expect((await h.history(tenant)).map((e) => e.type)).toEqual(['MailConfigProvisioned']);
    expect((await h.view(tenant)).gmail.status).toBe('not_authorized');
  });

  it('refuses tampered and other-tenant states, sending the browser to the app’s origin, and records nothing', async () => {
    const mine = await h.provisioned();
    const theirs = await h.provisioned();
    const a = (await h.handOff((await h.startAuthorization(mine)).body.authorizationUrl)).location!;
    const b = (await h.handOff((await h.startAuthorization(theirs)).body.authorizationUrl)).location!;
    const [nonce, exp, mac] = a.searchParams.get('state')!.split('.');
    const otherMac = b.searchParams.get('state')!.split('.')[2];
    const flipped = mac.startsWith('A') ? `B${mac.slice(1)}` : `A${mac.slice(1)}`;
    for (const state of [
      `${nonce}.${exp}.${flipped}`,
      `${nonce}.${exp}.${otherMac}`,
      `${nonce}.${Number(exp) + 600}.${mac}`,
      'garbage',
    ]) {
      a.searchParams.set('state', state);
      const trip = await h.followConsent(a.toString());
      expect(trip.callbackStatus).toBe(302);
      expect(trip.location!.toString()).toBe(`${APP_ORIGIN}/?gmail=error&reason=state_invalid`);
    }
    const missing = await h.callback(`/v1/oauth/google/callback?code=abc`);
    expect(missing.location!.toString()).toBe(`${APP_ORIGIN}/?gmail=error&reason=state_invalid`);
    for (const tenant of [mine, theirs])
      expect((await h.history(tenant)).map((e) => e.type)).toEqual(['MailConfigProvisioned']);
  });

  it('ends an unticked gmail.send in scope_missing with the tenant still not authorized', async () => {
    const tenant = await h.provisioned();
    h.google.nextConsent({ kind: 'approve', untick: [GMAIL_SEND] });
    expect(await h.authorize(tenant)).toEqual({ gmail: 'error', reason: 'scope_missing' });
    expect(await h.view(tenant)).toMatchObject({ mode: 'default', gmail: { status: 'not_authorized', account: null } });
    expect((await h.history(tenant)).map((e) => e.type)).toEqual(['MailConfigProvisioned']);
  });

  it('revokes a grant without gmail.send at Google, exactly once, before the browser hears scope_missing', async () => {
    const tenant = await h.provisioned();
    const account = `unticked-${tenant.toLowerCase()}@acme-mail.test`;
    const before = h.google.revocations.length;
    h.google.nextConsent({ kind: 'approve', account, untick: [GMAIL_SEND] });
    // authorize() returns once our callback answered the browser: the revocation happened before it.
    expect(await h.authorize(tenant)).toEqual({ gmail: 'error', reason: 'scope_missing' });
    const revocations = h.google.revocations.slice(before);
    expect(revocations).toHaveLength(1);
    // The refresh token of that very exchange: revoking it ends the whole grant at Google.
    expect(h.google.state.refreshTokens.get(revocations[0].token)).toBeDefined();
    const grants = [...h.google.state.grants.values()].filter((g) => g.account === account);
    expect(grants.map((g) => g.revoked)).toEqual([true]);
    expect((await h.history(tenant)).map((e) => e.type)).toEqual(['MailConfigProvisioned']);
  });

  it('ends a denial in gmail=denied and records nothing', async () => {
    const tenant = await h.provisioned();
    h.google.nextConsent({ kind: 'deny' });
    expect(await h.authorize(tenant)).toEqual({ gmail: 'denied' });
    expect((await h.history(tenant)).map((e) => e.type)).toEqual(['MailConfigProvisioned']);
  });

  it('ends a failed exchange or a grant without refresh token in exchange_failed, never overwriting a stored grant', async () => {
    const tenant = await h.provisioned();
    // One try: an authorization code is single-use, so a failed exchange is not retried.
    h.google.fail('token', { status: 500 });
    expect(await h.authorize(tenant)).toEqual({ gmail: 'error', reason: 'exchange_failed' });
    expect((await h.history(tenant)).map((e) => e.type)).toEqual(['MailConfigProvisioned']);

    expect(await h.authorize(tenant)).toEqual({ gmail: 'authorized' });
    const before = await h.history(tenant);
    h.google.nextConsent({ kind: 'approve', account: 'other@acme-mail.test', withoutRefreshToken: true });
    expect(await h.authorize(tenant)).toEqual({ gmail: 'error', reason: 'exchange_failed' });
    expect(await h.history(tenant)).toHaveLength(before.length);
    expect((await h.view(tenant)).gmail).toMatchObject({
      status: 'authorized',
      account: 'owner@acme-mail.test',
      credential: 'available',
    });
  });

  it('replaces the grant when an authorized tenant authorizes again', async () => {
    const tenant = await h.provisioned();
    expect(await h.authorize(tenant)).toEqual({ gmail: 'authorized' });
    h.google.nextConsent({ kind: 'approve', account: 'second@acme-mail.test' });
    expect(await h.authorize(tenant)).toEqual({ gmail: 'authorized' });
    expect(await h.view(tenant)).toMatchObject({
      mode: 'gmail',
      sender: 'second@acme-mail.test',
      gmail: { account: 'second@acme-mail.test' },
    });
    expect((await h.history(tenant)).map((e) => e.type)).toEqual([
      'MailConfigProvisioned',
      'GmailAuthorized',
      'ModeChanged',
      'GmailAuthorized',
    ]);
  });

  it('guards the tenant routes: 401 without a token, 403 for support, 404 unprovisioned, 410 erased; the callback needs none', async () => {
    const tenant = await h.provisioned();
    expect(
      (await h.svc.anonymous.post(`/v1/tenants/${tenant}/mail-config/gmail/authorizations`, { returnUrl: RETURN_URL }))
        .status,
    ).toBe(401);
    expect(
      (await h.svc.support.post(`/v1/tenants/${tenant}/mail-config/gmail/authorizations`, { returnUrl: RETURN_URL }))
        .status,
    ).toBe(403);
    expect((await h.svc.support.delete(`/v1/tenants/${tenant}/mail-config/gmail/authorization`)).status).toBe(403);
    expect((await h.startAuthorization('never-provisioned')).status).toBe(404);
    expect(
      (
        await h.svc.api.post(`/v1/tenants/${tenant}/mail-config/gmail/authorizations`, {
          returnUrl: RETURN_URL,
          extra: 1,
        })
      ).status,
    ).toBe(400);
    const started = await h.startAuthorization(tenant);
    expect((await h.svc.api.delete(`/v1/tenants/${tenant}/mail-config`)).status).toBe(200);
    expect((await h.startAuthorization(tenant)).status).toBe(410);
    // Consent given after the erasure records nothing.
    expect((await h.followConsent(started.body.authorizationUrl)).location!.searchParams.get('reason')).toBe(
      'exchange_failed',
    );
    expect((await h.history(tenant)).map((e) => e.type)).toEqual(['MailConfigProvisioned', 'MailConfigErased']);
  });

  it('keeps the state out of the event store and the tenant history', async () => {
    const tenant = await h.provisioned();
    const started = await h.startAuthorization(tenant);
    const handoff = new URL(started.body.authorizationUrl).searchParams.get('handoff')!;
    const handed = await h.handOff(started.body.authorizationUrl);
    const state = handed.location!.searchParams.get('state')!;
    const secret = handed.cookie!.split('=')[1];
    await h.followConsent(handed.location!.toString(), { cookie: handed.cookie });
    const all = await h.svc.running.app.get(EVENT_STORE).readAll();
    const text = JSON.stringify(all, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    for (const token of [handoff, state]) {
      for (const part of [token, ...token.split('.').filter((p) => p.length > 20)]) expect(text).not.toContain(part);
    }
    // Nor the browser's cookie secret: the state keeps only its hash.
    expect(text).not.toContain(secret);
    expect(text).toContain(`oauthState-${createHash('sha256').update(state.split('.')[0]).digest('hex')}`);
  });
});

describe('Gmail mode without a Google OAuth client', () => {
  let h: GmailHarness;
  beforeAll(async () => {
    h = await GmailHarness.start({ env: { GOOGLE_CLIENT_ID: '', GOOGLE_CLIENT_SECRET: '' } });
  });
  afterAll(() => h.close());

  it('answers 503 naming the missing variables on every Gmail route', async () => {
    const tenant = await h.provisioned();
    const responses = [
      await h.startAuthorization(tenant),
      await h.svc.api.delete(`/v1/tenants/${tenant}/mail-config/gmail/authorization`),
      await h.svc.anonymous.get('/v1/oauth/google/callback?code=x&state=y'),
      await h.svc.anonymous.get('/v1/oauth/google/authorize?handoff=x'),
    ];
    for (const res of responses) {
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({
        status: 503,
        title: 'Gmail not configured',
        missing: ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'],
      });
      expect(res.body.detail).toContain('GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET');
    }
  });
});
