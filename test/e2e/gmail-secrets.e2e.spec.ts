import { dataDirContains } from '../support/files';
import { GMAIL_SEND } from '../support/google/google-state';
import { GmailHarness } from '../support/google/gmail-harness';
import { type HttpResponse } from '../support/http';

describe('Gmail secrets never leave in plaintext', () => {
  let h: GmailHarness;
  beforeAll(async () => {
    h = await GmailHarness.start();
  });
  afterAll(() => h.close());

  it('no token, code, state or verifier in any response, log line, history entry or file under DATA_DIR', async () => {
    const seen: string[] = [];
    const keep = (res: HttpResponse) => {
      seen.push(`${res.status} ${JSON.stringify([...res.headers])} ${res.text}`);
      return res;
    };
    const { svc, google } = h;
    const consent = async (tenant: string) => {
      // The consent URL carries the state by design (to Google); everything after it is checked.
      const started = await h.startAuthorization(tenant);
      expect(started.status).toBe(201);
      const trip = await h.followConsent(started.body.authorizationUrl);
      seen.push(`${trip.callbackStatus} ${JSON.stringify([...trip.callbackHeaders])}`);
      return trip.location!.searchParams.get('gmail');
    };

    // Authorized, sent, revoked at Google, fallen back.
    const a = await h.provisioned();
    expect(await consent(a)).toBe('authorized');
    expect(keep(await h.send(a)).body.mode).toBe('gmail');
    google.revokeAccess();
    expect(keep(await h.send(a)).body.fallback).toEqual({ from: 'gmail', reason: 'grant_revoked' });
    // Withdrawn by the tenant while Google's revoke endpoint fails, then retried.
    const b = await h.provisioned();
    expect(await consent(b)).toBe('authorized');
    keep(await h.send(b));
    google.fail('revoke', { status: 503, times: 3 });
    expect(
      keep(await svc.api.delete(`/v1/tenants/${b}/mail-config/gmail/authorization`)).body.gmail.googleRevocation.ok,
    ).toBe(false);
    expect(await h.revocationRetry.runOnce({ dueOnly: false })).toEqual({
      attempted: 1,
      revoked: 1,
    });
    // Noticed by the consent check; a failed exchange; an unticked scope; a replayed callback.
    const c = await h.provisioned();
    google.nextConsent({ kind: 'approve', account: 'c@acme-mail.test' });
    expect(await consent(c)).toBe('authorized');
    google.revokeAccess('c@acme-mail.test');
    expect((await h.consentCheck.runOnce()).revoked).toBe(1);
    google.fail('token', { status: 400, times: 1 });
    expect(await consent(c)).toBe('error');
    google.nextConsent({ kind: 'approve', untick: [GMAIL_SEND] });
    expect(await consent(c)).toBe('error');
    const first = await h.followConsent((await h.startAuthorization(c)).body.authorizationUrl);
    const replayed = await h.callback(first.callback);
    expect(replayed.location!.searchParams.get('reason')).toBe('state_invalid');
    seen.push(`${replayed.callbackStatus} ${JSON.stringify([...replayed.callbackHeaders])}`);

    for (const tenant of [a, b, c]) {
      keep(await svc.api.get(`/v1/tenants/${tenant}/mail-config`));
      keep(await svc.api.get(`/v1/tenants/${tenant}/mail-config/history?limit=500`));
      keep(await svc.support.get(`/v1/audit/events?tenantId=${tenant}&limit=500`));
    }
    keep(await svc.support.get('/v1/dashboard/tenants?limit=500'));
    keep(await svc.anonymous.get('/metrics'));

    const secrets = [...google.issuedSecrets(), ...google.clientSecrets()];
    expect(google.state.refreshTokens.size).toBeGreaterThanOrEqual(3);
    expect(google.state.accessTokens.size).toBeGreaterThanOrEqual(3);
    expect(google.clientSecrets().length).toBeGreaterThanOrEqual(10);
    const responses = seen.join('\n');
    const logs = svc.logs.join('\n');
    expect(logs).toContain('revoked at Google');
    // The scan reaches the stores: with the embedded event store, the history is under DATA_DIR.
    if (process.env.E2E_STORE !== 'esdb')
      expect(dataDirContains(svc.dataDir, 'GmailAuthorized').length).toBeGreaterThan(0);
    // Nor in any URL Google was asked for (the state goes to Google in the consent URL by design).
    const urls = google.requests.map((r) => r.url).join('\n');
    expect(google.requests.filter((r) => r.url.startsWith('/v1/userinfo')).length).toBeGreaterThanOrEqual(3);
    for (const secret of [...google.issuedSecrets(), ...google.tokenRequests.map((r) => r.codeVerifier ?? '')])
      if (secret) expect(urls).not.toContain(secret);
    for (const secret of secrets) {
      expect(responses).not.toContain(secret);
      expect(logs).not.toContain(secret);
      expect(dataDirContains(svc.dataDir, secret)).toEqual([]);
    }
  });
});
