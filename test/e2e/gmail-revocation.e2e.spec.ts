import { GmailHarness } from '../support/google/gmail-harness';

describe('tenant revocation of Gmail consent', () => {
  let h: GmailHarness;
  beforeAll(async () => {
    h = await GmailHarness.start();
  });
  afterAll(() => h.close());

  const withdraw = (tenant: string, headers?: Record<string, string>) =>
    h.svc.api.delete(`/v1/tenants/${tenant}/mail-config/gmail/authorization`, undefined, headers);
  /** The refresh tokens the stand-in issued to this account, and whether Google still honours any. */
  const grantAlive = (account = 'owner@acme-mail.test') =>
    [...h.google.state.grants.values()].some((g) => g.account === account && !g.revoked);

  it('revokes the token at Google and records ConsentRevoked{tenant_request} and the return to mode 1', async () => {
    const tenant = await h.provisioned();
    await h.authorize(tenant);
    const revocations = h.google.revocations.length;
    const res = await withdraw(tenant, { 'X-Actor': 'admin@acme.test' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tenantId: tenant,
      mode: 'default',
      gmail: {
        status: 'revoked',
        account: 'owner@acme-mail.test',
        revokedReason: 'tenant_request',
        googleRevocation: { ok: true, message: null },
      },
    });
    expect(new Date(res.body.gmail.revokedAt).toISOString()).toBe(res.body.gmail.revokedAt);
    expect(h.google.revocations.slice(revocations)).toEqual([{ token: expect.stringMatching(/^1\/\/0g/), in: 'body' }]);
    expect(grantAlive()).toBe(false);
    const history = await h.history(tenant);
    expect(history.slice(-2).map((e) => [e.type, e.actor])).toEqual([
      ['ConsentRevoked', 'admin@acme.test'],
      ['ModeChanged', 'admin@acme.test'],
    ]);
    expect(history.at(-2)!.data).toEqual({
      provider: 'gmail',
      reason: 'tenant_request',
      account: 'owner@acme-mail.test',
      revokedAt: res.body.gmail.revokedAt,
      googleRevocation: { ok: true, message: null },
    });
    expect(history.at(-1)!.data).toEqual({ from: 'gmail', to: 'default', reason: 'consent_revoked' });
    // Sending now goes out in mode 1, without a fallback: the tenant chose it.
    expect((await h.send(tenant)).body).toMatchObject({ mode: 'default', fallback: null });
    // Withdrawing again changes nothing.
    const again = await withdraw(tenant);
    expect(again.status).toBe(200);
    expect(await h.history(tenant)).toHaveLength(history.length);
  });

  it('does not record a mode change when gmail was authorized but not the active mode', async () => {
    const tenant = await h.provisioned();
    await h.authorize(tenant);
    expect((await h.svc.api.put(`/v1/tenants/${tenant}/mail-config/mode`, { mode: 'default' })).status).toBe(200);
    const res = await withdraw(tenant);
    expect(res.body).toMatchObject({ mode: 'default', gmail: { status: 'revoked', revokedReason: 'tenant_request' } });
    expect((await h.history(tenant)).at(-1)!.type).toBe('ConsentRevoked');
  });

  it('withdraws the consent even when Google’s revoke endpoint fails, shows the failure, and retries later', async () => {
    const tenant = await h.provisioned();
    await h.authorize(tenant);
    h.google.fail('revoke', { status: 503, times: 3 });
    const res = await withdraw(tenant);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      mode: 'default',
      gmail: {
        status: 'revoked',
        revokedReason: 'tenant_request',
        googleRevocation: { ok: false, message: 'Google answered 503 to the revocation' },
      },
    });
    expect(grantAlive()).toBe(true);
    const revoked = (await h.history(tenant)).find((e) => e.type === 'ConsentRevoked')!;
    expect(revoked.data.googleRevocation).toEqual({ ok: false, message: 'Google answered 503 to the revocation' });

    const retry = h.revocationRetry;
    expect((await retry.pending()).map((p) => [p.tenantId, p.attempts])).toEqual([[tenant, 1]]);
    // Not due yet: the first retry waits a minute.
    expect(await retry.runOnce()).toEqual({ attempted: 0, revoked: 0 });
    h.google.fail('revoke', { status: 500, times: 3 });
    expect(await retry.runOnce({ dueOnly: false })).toEqual({ attempted: 1, revoked: 0 });
    expect((await retry.pending()).map((p) => [p.tenantId, p.attempts, p.lastMessage])).toEqual([
      [tenant, 2, 'Google answered 500 to the revocation'],
    ]);
    expect(await retry.runOnce({ dueOnly: false })).toEqual({ attempted: 1, revoked: 1 });
    expect(grantAlive()).toBe(false);
    expect(await retry.pending()).toEqual([]);
    // The tenant's view and history no longer say Google did not revoke.
    const view = await h.svc.api.get(`/v1/tenants/${tenant}/mail-config`);
    expect(view.body.gmail).toMatchObject({ status: 'revoked', googleRevocation: { ok: true, message: null } });
    const history = await h.history(tenant);
    expect(history.at(-1)).toMatchObject({
      type: 'GoogleRevocationConfirmed',
      data: { account: 'owner@acme-mail.test', confirmedAt: expect.any(String), attempts: 3 },
    });
    expect(await retry.runOnce({ dueOnly: false })).toEqual({ attempted: 0, revoked: 0 });
    expect(await h.history(tenant)).toHaveLength(history.length);
  });

  it('does not let a queued retry revoke a new authorization of the same account', async () => {
    const tenant = await h.provisioned();
    h.google.nextConsent({ kind: 'approve', account: 'again@acme-mail.test' });
    await h.authorize(tenant);
    h.google.fail('revoke', { status: 503, times: 3 });
    expect((await withdraw(tenant)).body.gmail.googleRevocation.ok).toBe(false);
    h.google.nextConsent({ kind: 'approve', account: 'again@acme-mail.test' });
    expect(await h.authorize(tenant)).toEqual({ gmail: 'authorized' });
    const retry = h.revocationRetry;
    const revocations = h.google.revocations.length;
    expect(await retry.runOnce({ dueOnly: false })).toEqual({ attempted: 1, revoked: 0 });
    expect(h.google.revocations).toHaveLength(revocations);
    expect(await retry.pending()).toEqual([]);
    expect((await h.send(tenant)).body).toMatchObject({ mode: 'gmail', from: 'again@acme-mail.test', fallback: null });
  });

  it('answers 200 with the unchanged view when nothing is authorized, and 404 for an unknown tenant', async () => {
    const tenant = await h.provisioned();
    const res = await withdraw(tenant);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'default', gmail: { status: 'not_authorized' }, version: 1 });
    expect((await withdraw('nobody-here')).status).toBe(404);
  });
});
