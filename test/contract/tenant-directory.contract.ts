import { applyEvents } from '../../src/application/projections/mail-config.projection';
import {
  consentRevoked,
  gmailAuthorized,
  modeChanged,
  provisioned,
  type ReadModelsUnderTest,
  smtpConfigured,
  smtpTested,
} from '../application/projections/projection-fixtures';
import { type OpenReadModels, type ReadModelFixture, stored } from './read-models.fixture';

export function tenantDirectoryContract(name: string, open: OpenReadModels): void {
  describe(`tenant directory contract: ${name}`, () => {
    let fx: ReadModelFixture;
    let rm: ReadModelsUnderTest;
    beforeAll(async () => {
      fx = await open();
      rm = fx.readModels;
      let position = 0n;
      const next = () => ++position;
      const events = [
        stored('t-1', 1, next(), provisioned('t-1', 'acme')),
        stored('t-2', 1, next(), provisioned('t-2', 'beta_co')),
        stored('T-3', 1, next(), provisioned('T-3', 'gamma')),
        stored('t-2', 2, next(), smtpConfigured('help@beta.example')),
        stored('t-2', 3, next(), smtpTested(false)),
        stored('t-4', 1, next(), provisioned('t-4', 'delta')),
        stored('t-4', 2, next(), gmailAuthorized('delta@gmail.example')),
        stored('t-4', 3, next(), modeChanged('default', 'gmail')),
        stored('t-4', 4, next(), consentRevoked('revoked_at_google')),
        stored('t-5', 1, next(), provisioned('t-5', 'gone')),
        stored('t-5', 2, next(), { type: 'MailConfigErased', data: { erasedAt: '2026-11-26T10:00:00Z' } }),
      ];
      await applyEvents(rm.projections, events, (await rm.checkpoint()).generation);
    });
    afterAll(() => fx.cleanup());

    const ids = async (filter: Parameters<ReadModelsUnderTest['tenants']>[0]) =>
      (await rm.tenants(filter)).map((t) => t.tenantId);

    it('counts tenants by mode and trouble, erased ones apart', async () => {
      expect(await rm.counts()).toEqual({
        tenants: 4,
        byMode: expect.objectContaining({ default: 3, gmail: 1, smtp: 0 }),
        needsAttention: 2,
        gmailRevoked: 1,
        // t-2's failed test is of an SMTP draft (it stays in default mode): attention, not "SMTP failing".
        smtpFailing: 0,
        erased: 1,
      });
    });

    it('lists the dashboard rows in byte order of tenant id, page by page', async () => {
      expect(await ids({ limit: 10 })).toEqual(['T-3', 't-1', 't-2', 't-4', 't-5']);
      expect(await ids({ limit: 2 })).toEqual(['T-3', 't-1']);
      expect(await ids({ limit: 2, afterTenantId: 't-1' })).toEqual(['t-2', 't-4']);
      expect((await rm.tenants({ limit: 10, afterTenantId: 't-1' }))[0]).toEqual({
        tenantId: 't-2',
        username: 'beta_co',
        mode: 'default',
        sender: 'support.beta_co@smemetrics-email.com',
        status: 'needs_attention',
        attention: 'smtp_test_failed',
        reason: 'SMTP draft (not in use) failed its test at auth: 535 authentication failed',
        lastChangeAt: expect.any(String),
        lastChangeBy: 'actor-t-2',
        duplicateUsername: false,
      });
    });

    it('filters by mode and status', async () => {
      expect(await ids({ limit: 10, status: 'needs_attention' })).toEqual(['t-2', 't-4']);
      expect(await ids({ limit: 10, mode: 'gmail' })).toEqual(['t-4']);
      expect(await ids({ limit: 10, mode: 'default', status: 'ok' })).toEqual(['T-3', 't-1']);
      expect(await ids({ limit: 10, status: 'erased' })).toEqual(['t-5']);
    });

    it('searches tenant id, username and sender case-insensitively, treating % and _ literally', async () => {
      expect(await ids({ limit: 10, q: 'ACME' })).toEqual(['t-1']);
      expect(await ids({ limit: 10, q: 'support.gamma@' })).toEqual(['T-3']);
      expect(await ids({ limit: 10, q: 'a_c' })).toEqual(['t-2']);
      expect(await ids({ limit: 10, q: '%' })).toEqual([]);
      expect(await ids({ limit: 10, q: 'm_i' })).toEqual([]); // as a wildcard, _ would match "mai" in every sender
      expect(await ids({ limit: 10, q: 'delta@gmail', status: 'needs_attention' })).toEqual(['t-4']);
    });

    it('finds a tenant by a Gmail account it no longer uses, and gives one tenant with its panel details', async () => {
      const events = [
        stored('t-6', 1, 100n, provisioned('t-6', 'zeta')),
        stored('t-6', 2, 101n, gmailAuthorized('Former.Owner@gmail.example')),
        stored('t-6', 3, 102n, modeChanged('default', 'gmail')),
        stored('t-6', 4, 103n, consentRevoked('revoked_at_google')),
        stored('t-6', 5, 104n, modeChanged('gmail', 'default')),
      ];
      await applyEvents(rm.projections, events, (await rm.checkpoint()).generation);
      expect(await ids({ limit: 10, q: 'former.owner@GMAIL' })).toEqual(['t-6']);
      const panel = await rm.tenant('t-6');
      expect(panel).toMatchObject({
        tenantId: 't-6',
        mode: 'default',
        sender: 'support.zeta@smemetrics-email.com',
        accounts: ['former.owner@gmail.example'],
        details: { gmail: { status: 'revoked', revokedReason: 'revoked_at_google', detectedBy: 'sending' } },
      });
      expect(await rm.tenant('nobody')).toBeNull();
    });

    it('answers the same through another instance', async () => {
      const other = await fx.another();
      expect(await other.counts()).toEqual(await rm.counts());
      expect(await other.tenants({ limit: 10 })).toEqual(await rm.tenants({ limit: 10 }));
    });

    it('flags every tenant sharing a username with another, case aside and erased ones included', async () => {
      // Provisioned before usernames were claimed: the store took them, the dashboard must say so.
      const head = (await rm.checkpoint()).position;
      await applyEvents(
        rm.projections,
        [
          stored('t-9', 1, head + 1n, provisioned('t-9', 'ACME')),
          stored('t-10', 1, head + 2n, provisioned('t-10', 'gone')),
          stored('t-11', 1, head + 3n, provisioned('t-11', 'acme-2')),
        ],
        (await rm.checkpoint()).generation,
      );
      const flagged = (await rm.tenants({ limit: 20 })).filter((t) => t.duplicateUsername).map((t) => t.tenantId);
      // (t-6, seeded above for the support panel, has a username of its own.)
      expect(flagged).toEqual(['t-1', 't-10', 't-5', 't-9']);
      expect((await rm.tenants({ limit: 20, q: 'acme-2' }))[0]).toMatchObject({ duplicateUsername: false });
      // Paging and filters do not hide the other half of a pair.
      expect(await rm.tenants({ limit: 1, afterTenantId: 't-1' })).toEqual([
        expect.objectContaining({ tenantId: 't-10', duplicateUsername: true }),
      ]);
    });
  });
}
