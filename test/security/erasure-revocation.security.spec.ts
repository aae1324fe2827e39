import { CIPHER, type Cipher } from '../../src/application/ports/cipher.port';
import { GmailHarness } from '../support/google/gmail-harness';

/** Issue #18 item 9: erasing a tenant ends its Gmail grant at Google too, or queues that for a retry. */
describe('item 9: erasure revokes the Gmail grant at Google', () => {
  let h: GmailHarness;
  beforeAll(async () => {
    h = await GmailHarness.start();
  });
  afterAll(() => h.close());

  /** The refresh tokens the stand-in issued to this account's grants. */
  const tokensOf = (account: string) => {
    const grants = new Set([...h.google.state.grants.values()].filter((g) => g.account === account).map((g) => g.id));
    return [...h.google.state.refreshTokens].filter(([, grantId]) => grants.has(grantId)).map(([t]) => t);
  };
  const grantAlive = (account: string) =>
    [...h.google.state.grants.values()].some((g) => g.account === account && !g.revoked);
  /** Authorizes Gmail for a fresh tenant and account; spies on shredding to see what Google had heard by then. */
  const authorizedTenant = async (account: string) => {
    const tenant = await h.provisioned('er');
    h.google.nextConsent({ kind: 'approve', account });
    expect(await h.authorize(tenant)).toEqual({ gmail: 'authorized' });
    const cipher = h.svc.running.app.get<Cipher>(CIPHER);
    const revokedWhenShredded: number[] = [];
    const shred = cipher.shred.bind(cipher);
    jest.spyOn(cipher, 'shred').mockImplementation(async (tenantId) => {
      if (tenantId === tenant) revokedWhenShredded.push(h.google.revocations.length);
      return shred(tenantId);
    });
    return { tenant, revokedWhenShredded };
  };
  afterEach(() => jest.restoreAllMocks());
  const erase = (tenant: string) => h.svc.api.delete(`/v1/tenants/${tenant}/mail-config`);

  it('revokes the grant’s token at Google exactly once, before the data key is shredded', async () => {
    const account = 'erased-owner@acme-mail.test';
    const { tenant, revokedWhenShredded } = await authorizedTenant(account);
    const before = h.google.revocations.length;
    const res = await erase(tenant);
    expect(res.status).toBe(200);
    expect(h.google.revocations.slice(before)).toEqual([{ token: expect.any(String), in: 'body' }]);
    expect(tokensOf(account)).toContain(h.google.revocations[before].token);
    expect(revokedWhenShredded).toEqual([before + 1]);
    expect(grantAlive(account)).toBe(false);
    expect(res.body.gmail.status).not.toBe('authorized');
    expect((await h.view(tenant)).gmail.status).not.toBe('authorized');
    expect(await h.revocationRetry.pending()).toEqual([]);
  });

  it('queues the revocation when Google fails, and a retry run revokes it after the key is gone', async () => {
    const account = 'erased-outage@acme-mail.test';
    const { tenant, revokedWhenShredded } = await authorizedTenant(account);
    h.google.fail('revoke', { status: 503, times: 3 });
    const before = h.google.revocations.length;
    const res = await erase(tenant);
    expect(res.status).toBe(200);
    expect(res.body.gmail.status).not.toBe('authorized');
    expect(revokedWhenShredded).toEqual([before]);
    expect(grantAlive(account)).toBe(true);
    expect((await h.revocationRetry.pending()).map((p) => [p.tenantId, p.account, p.attempts])).toEqual([
      [tenant, account, 1],
    ]);
    // The queued token is not the tenant's sealed value: that one no longer opens.
    expect(JSON.stringify(await h.revocationRetry.pending())).not.toContain(tokensOf(account)[0]);
    const [queued] = await h.revocationRetry.pending();
    const cipher = h.svc.running.app.get<Cipher>(CIPHER);
    const context = { tenantId: queued.sealedFor, field: 'gmail.refreshToken' };
    expect(queued.sealedFor).not.toBe(tenant);
    expect(await cipher.decrypt(queued.refreshToken, context)).toBe(tokensOf(account)[0]);

    expect(await h.revocationRetry.runOnce({ dueOnly: false })).toEqual({ attempted: 1, revoked: 1 });
    expect(h.google.revocations.slice(before)).toEqual([{ token: tokensOf(account)[0], in: 'body' }]);
    expect(grantAlive(account)).toBe(false);
    expect(await h.revocationRetry.pending()).toEqual([]);
    // Revoked for good: the resealed copy's key is shredded, so the token no longer exists anywhere.
    await expect(cipher.decrypt(queued.refreshToken, context)).rejects.toMatchObject({ reason: 'shredded' });
  });
});
