import { eventually } from '../browser/dashboard-fixtures';
import { MicrosoftHarness } from '../support/microsoft/microsoft-harness';

describe('the support dashboard knows Microsoft 365 mode', () => {
  let h: MicrosoftHarness;
  beforeAll(async () => {
    h = await MicrosoftHarness.start();
  });
  afterAll(() => h.close());

  const row = async (tenantId: string) =>
    (await h.svc.support.get(`/v1/dashboard/tenants?q=${tenantId}`)).body.tenants.find(
      (t: { tenantId: string }) => t.tenantId === tenantId,
    );

  it('counts the tenant in byMode.microsoft, lists it by mode, and flags microsoft_revoked after a revocation at Microsoft', async () => {
    const tenant = await h.provisioned();
    expect(await h.authorize(tenant)).toEqual({ microsoft: 'authorized' });
    await eventually(async () => ((await row(tenant))?.mode === 'microsoft' ? true : undefined), 2000, 'row');
    expect(await row(tenant)).toMatchObject({ sender: 'owner@contoso-mail.test', status: 'ok', attention: null });
    const summary = await h.svc.support.get('/v1/dashboard/summary');
    expect(summary.body.byMode.microsoft).toBeGreaterThanOrEqual(1);
    const listed = await h.svc.support.get('/v1/dashboard/tenants?mode=microsoft&limit=100');
    expect(listed.status).toBe(200);
    expect(listed.body.tenants.map((t: { tenantId: string }) => t.tenantId)).toContain(tenant);

    await h.send(tenant);
    h.microsoft.revokeAt('owner@contoso-mail.test', 50173);
    expect((await h.send(tenant)).body.fallback).toMatchObject({ from: 'microsoft' });
    // The read models follow the events (eventually): wait for the row as the revocation left it.
    const flagged = await eventually(
      async () => {
        const r = await row(tenant);
        return r?.attention === 'microsoft_revoked' && r.mode === 'default' ? r : undefined;
      },
      2000,
      'microsoft_revoked',
    );
    expect(flagged).toMatchObject({ mode: 'default', status: 'needs_attention' });
  });
});
