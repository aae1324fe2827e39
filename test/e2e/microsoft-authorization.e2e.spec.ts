import { MAIL_SEND } from '../support/microsoft/microsoft-stand-in';
import { MicrosoftHarness, PUBLIC_ORIGIN, RETURN_URL } from '../support/microsoft/microsoft-harness';

describe('Microsoft 365 authorization over HTTP against the stand-in identity platform', () => {
  let h: MicrosoftHarness;
  beforeAll(async () => {
    h = await MicrosoftHarness.start();
  });
  afterAll(() => h.close());
  beforeEach(() => h.microsoft.decide({ kind: 'grant' }));

  it('asks for Mail.Send and offline_access and nothing that reads mail, with state, nonce and PKCE S256', async () => {
    const tenant = await h.provisioned();
    const started = await h.startAuthorization(tenant);
    expect(started.status).toBe(201);
    expect(Object.keys(started.body).sort()).toEqual(['authorizationUrl', 'expiresAt']);
    // The authorizationUrl is a one-time link to this service, next to the redirect URI; it sends the browser on.
    const link = new URL(started.body.authorizationUrl);
    expect(`${link.origin}${link.pathname}`).toBe(`${PUBLIC_ORIGIN}/v1/oauth/microsoft/authorize`);
    const handed = await h.handOff(started.body.authorizationUrl);
    expect(handed.status).toBe(302);
    const url = handed.location!;
    expect(`${url.origin}${url.pathname}`).toBe(`${h.microsoft.url}common/oauth2/v2.0/authorize`);
    const q = Object.fromEntries(url.searchParams);
    const scopes = q.scope.split(' ').sort();
    expect(scopes).toEqual(['email', 'offline_access', 'openid', MAIL_SEND].sort());
    expect(scopes.filter((s) => /Mail\.Read|Mail\.ReadWrite|IMAP|POP|EWS|\.default/i.test(s))).toEqual([]);
    expect(q).toMatchObject({
      client_id: h.microsoft.client.clientId,
      redirect_uri: h.microsoft.client.redirectUri,
      response_type: 'code',
      response_mode: 'query',
      code_challenge_method: 'S256',
    });
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.state).toMatch(/^[A-Za-z0-9_-]{43}\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(q.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(started.body.expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);
    // Nothing reached the identity platform yet: no discovery call either (metadata is configured).
    expect(h.microsoft.requests).toEqual([]);
  });

  it('consent → callback → microsoft=authorized, mode microsoft, sender = the account, in one append', async () => {
    const tenant = await h.provisioned();
    const started = await h.startAuthorization(tenant, RETURN_URL, { 'X-Actor': 'agent@acme.test' });
    const trip = await h.followConsent(started.body.authorizationUrl);
    expect(trip.callbackStatus).toBe(302);
    expect(trip.callbackHeaders.get('cache-control')).toBe('no-store');
    expect(trip.location!.toString()).toBe(`${RETURN_URL}?microsoft=authorized`);
    expect(await h.view(tenant)).toMatchObject({
      mode: 'microsoft',
      sender: 'owner@contoso-mail.test',
      microsoft: { status: 'authorized', account: 'owner@contoso-mail.test', revokedAt: null },
    });
    const history = await h.history(tenant);
    expect(history.map((e) => e.type)).toEqual(['MailConfigProvisioned', 'MicrosoftAuthorized', 'ModeChanged']);
    const [, authorized, modeChanged] = history;
    expect(modeChanged.version).toBe(authorized.version + 1);
    expect(modeChanged.correlationId).toBe(authorized.correlationId);
    expect(authorized.actor).toBe('agent@acme.test');
    expect(authorized.data).toMatchObject({ account: 'owner@contoso-mail.test', refreshToken: '[encrypted]' });
    expect(authorized.data.scopes).toContain(MAIL_SEND);
    expect(modeChanged.data).toEqual({ from: 'default', to: 'microsoft', reason: 'microsoft_authorized' });
    // The code was redeemed with the round trip's verifier (the stand-in checks S256).
    const exchange = h.microsoft.tokenRequests.at(-1)!;
    expect(exchange.get('grant_type')).toBe('authorization_code');
    expect(exchange.get('code_verifier')).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
  });

  it('a replayed state is refused: microsoft=error&reason=state_invalid, nothing recorded', async () => {
    const tenant = await h.provisioned();
    const started = await h.startAuthorization(tenant);
    const first = await h.followConsent(started.body.authorizationUrl);
    expect(first.location!.searchParams.get('microsoft')).toBe('authorized');
    const versions = (await h.history(tenant)).length;
    const replay = await h.callback(first.callback);
    expect(replay.callbackStatus).toBe(302);
    expect(Object.fromEntries(replay.location!.searchParams)).toEqual({ microsoft: 'error', reason: 'state_invalid' });
    expect(await h.history(tenant)).toHaveLength(versions);
  });

  it('the user refusing consent → microsoft=denied, nothing recorded', async () => {
    const tenant = await h.provisioned();
    h.microsoft.decide({ kind: 'deny' });
    expect(await h.authorize(tenant)).toEqual({ microsoft: 'denied' });
    expect((await h.view(tenant)).microsoft.status).toBe('not_authorized');
    expect((await h.history(tenant)).map((e) => e.type)).toEqual(['MailConfigProvisioned']);
  });

  it('a directory that requires an administrator’s approval → reason=admin_consent_required', async () => {
    const tenant = await h.provisioned();
    h.microsoft.decide({ kind: 'admin_consent_required' });
    expect(await h.authorize(tenant)).toEqual({ microsoft: 'error', reason: 'admin_consent_required' });
    expect((await h.view(tenant)).mode).toBe('default');
  });

  it('Mail.Send unticked → reason=scope_missing, nothing recorded', async () => {
    const tenant = await h.provisioned();
    h.microsoft.decide({ kind: 'grant', untick: [MAIL_SEND] });
    expect(await h.authorize(tenant)).toEqual({ microsoft: 'error', reason: 'scope_missing' });
    expect((await h.history(tenant)).map((e) => e.type)).toEqual(['MailConfigProvisioned']);
  });

  it('PUT mode microsoft before authorizing is 409; the DELETE forgets the grant and says where to remove the app', async () => {
    const tenant = await h.provisioned();
    const early = await h.svc.api.put(`/v1/tenants/${tenant}/mail-config/mode`, { mode: 'microsoft' });
    expect(early.status).toBe(409);
    expect(await h.authorize(tenant)).toEqual({ microsoft: 'authorized' });
    const withdrawn = await h.svc.api.delete(`/v1/tenants/${tenant}/mail-config/microsoft/authorization`);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({
      mode: 'default',
      microsoft: { status: 'revoked', revokedReason: 'tenant_request' },
      removeAccessAt: { workOrSchool: expect.stringMatching(/^https:\/\/myapplications\.microsoft\.com/) },
    });
    const revoked = (await h.history(tenant)).find((e) => e.type === 'ConsentRevoked')!;
    expect(revoked.data).toMatchObject({ provider: 'microsoft', reason: 'tenant_request' });
  });
});
