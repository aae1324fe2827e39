import { dataDirContains } from '../support/files';
import { type HttpResponse } from '../support/http';
import { MAIL_SEND } from '../support/microsoft/microsoft-stand-in';
import { MicrosoftHarness } from '../support/microsoft/microsoft-harness';

describe('Microsoft 365 secrets never leave in plaintext', () => {
  let h: MicrosoftHarness;
  beforeAll(async () => {
    h = await MicrosoftHarness.start();
  });
  afterAll(() => h.close());

  it('no refresh or access token, code, verifier or client secret in any response, log, history entry or file', async () => {
    const seen: string[] = [];
    const keep = (res: HttpResponse) => {
      seen.push(`${res.status} ${JSON.stringify([...res.headers])} ${res.text}`);
      return res;
    };
    const { svc, microsoft } = h;
    const consent = async (tenant: string) => {
      // The consent URL carries the state by design (to Microsoft); everything after it is checked.
      const started = await h.startAuthorization(tenant);
      expect(started.status).toBe(201);
      const trip = await h.followConsent(started.body.authorizationUrl);
      seen.push(`${trip.callbackStatus} ${JSON.stringify([...trip.callbackHeaders])}`);
      return trip.location!.searchParams.get('microsoft');
    };

    // Authorized, sent, revoked at the provider, fallen back.
    const a = await h.provisioned();
    expect(await consent(a)).toBe('authorized');
    expect(keep(await h.send(a)).body.mode).toBe('microsoft');
    microsoft.revokeAt('owner@contoso-mail.test', 700082);
    expect(keep(await h.send(a)).body.fallback).toEqual({ from: 'microsoft', reason: 'grant_revoked' });
    // Authorized again and withdrawn by the tenant; an unticked scope; a replayed callback; a throttled refresh.
    const b = await h.provisioned();
    microsoft.decide({ kind: 'grant', account: 'b@contoso-mail.test' });
    expect(await consent(b)).toBe('authorized');
    microsoft.fail('token', { status: 429, times: 1, retryAfter: 0 });
    expect(keep(await h.send(b)).body.mode).toBe('microsoft');
    keep(await svc.api.delete(`/v1/tenants/${b}/mail-config/microsoft/authorization`));
    microsoft.decide({ kind: 'grant', untick: [MAIL_SEND] });
    expect(await consent(b)).toBe('error');
    microsoft.decide({ kind: 'grant' });
    const first = await h.followConsent((await h.startAuthorization(b)).body.authorizationUrl);
    const replayed = await h.callback(first.callback);
    expect(replayed.location!.searchParams.get('reason')).toBe('state_invalid');
    seen.push(`${replayed.callbackStatus} ${JSON.stringify([...replayed.callbackHeaders])}`);
    for (const t of [a, b]) {
      keep(await svc.api.get(`/v1/tenants/${t}/mail-config`));
      keep(await svc.api.get(`/v1/tenants/${t}/mail-config/history?limit=500`));
    }
    keep(await svc.support.get('/v1/audit/events?limit=500'));

    const secrets = microsoft.secrets();
    const verifiers = microsoft.tokenRequests.map((r) => r.get('code_verifier')).filter(Boolean);
    const codes = microsoft.tokenRequests.map((r) => r.get('code')).filter(Boolean);
    expect(verifiers.length).toBeGreaterThanOrEqual(3);
    expect(codes.length).toBeGreaterThanOrEqual(3);
    expect(secrets.filter((s) => s.startsWith('M.R3_')).length).toBeGreaterThanOrEqual(3);
    const logs = svc.logs.join('\n');
    const answers = seen.join('\n');
    for (const secret of secrets) {
      expect(answers).not.toContain(secret);
      expect(logs).not.toContain(secret);
      expect(dataDirContains(svc.dataDir, secret)).toEqual([]);
    }
  });
});
