import { GetAuditEventsHandler } from '../../../src/application/audit/queries/get-audit-events.handler';
import { type AuditFilter, GetAuditEventsQuery } from '../../../src/application/audit/queries/get-audit-events.query';
import {
  type HistoryEntry,
  type HistoryFilter,
  type HistoryPage,
  InvalidCursorError,
} from '../../../src/application/mail-config/history';
import { GetMailConfigHistoryHandler } from '../../../src/application/mail-config/queries/get-mail-config-history.handler';
import { GetMailConfigHistoryQuery } from '../../../src/application/mail-config/queries/get-mail-config-history.query';
import {
  append,
  consentRevoked,
  gmailAuthorized,
  provisioned,
  recorded,
  Sandbox,
  smtpConfigured,
  smtpTested,
  waitFor,
} from '../projections/projection-fixtures';

describe('cross-tenant audit', () => {
  let sandbox: Sandbox;
  let audit: { events(filter: AuditFilter): Promise<HistoryPage> };
  let history: { forTenant(tenantId: string, filter: HistoryFilter): Promise<HistoryPage> };

  beforeAll(async () => {
    sandbox = new Sandbox();
    const store = sandbox.eventStore('sqlite');
    const readModels = sandbox.readModels();
    const auditHandler = new GetAuditEventsHandler(readModels.audit);
    const historyHandler = new GetMailConfigHistoryHandler(store);
    audit = { events: (filter) => auditHandler.execute(new GetAuditEventsQuery(filter)) };
    history = {
      forTenant: (tenantId, filter) => historyHandler.execute(new GetMailConfigHistoryQuery(tenantId, filter)),
    };
    const at = (minute: number) => `2026-11-26T10:${String(minute).padStart(2, '0')}:00.000Z`;
    await append(store, 'acme', recorded(provisioned('acme', 'acme'), 'ana@acme.example', at(0)));
    await append(store, 'beta', recorded(provisioned('beta', 'beta'), 'bo@beta.example', at(1)));
    await append(store, 'acme', recorded(smtpConfigured('help@acme.example'), 'ana@acme.example', at(2)));
    await append(store, 'beta', recorded(gmailAuthorized('bo@gmail.example'), 'bo@beta.example', at(3)));
    await append(store, 'acme', recorded(smtpTested(false), 'ana@acme.example', at(4)));
    await append(store, 'beta', recorded(consentRevoked('revoked_at_google'), 'system', at(5)));
    const runner = sandbox.runner(store, readModels);
    await runner.start();
    await waitFor(async () => ((await readModels.position()) === (await store.headPosition()) ? true : undefined));
  });
  afterAll(() => sandbox.cleanup());

  it('returns the same redacted entries as the tenant history for the same events', async () => {
    for (const tenantId of ['acme', 'beta']) {
      const fromAudit = await audit.events({ tenantId, limit: 100 });
      const fromHistory = await history.forTenant(tenantId, { limit: 100 });
      expect(fromAudit.events).toEqual(fromHistory.events);
      expect(fromAudit.events.length).toBe(3);
    }
    const text = JSON.stringify((await audit.events({ limit: 100 })).events);
    expect(text).toContain('"password":"[encrypted]"');
    expect(text).toContain('"refreshToken":"[encrypted]"');
    expect(text).not.toContain('tenant-key-1');
  });

  it('lists every tenant oldest first, with actor and correlation id', async () => {
    const { events, nextCursor } = await audit.events({ limit: 100 });
    expect(events.map((e) => `${e.tenantId}:${e.type}`)).toEqual([
      'acme:MailConfigProvisioned',
      'beta:MailConfigProvisioned',
      'acme:SmtpConfigured',
      'beta:GmailAuthorized',
      'acme:SmtpConnectionTested',
      'beta:ConsentRevoked',
    ]);
    expect(events[5]).toMatchObject({ actor: 'system', version: 3, correlationId: expect.any(String) });
    expect(nextCursor).toBeNull();
  });

  it('filters by type (several), tenant and an inclusive time window', async () => {
    const types = async (f: AuditFilter) =>
      (await audit.events(f)).events.map((e: HistoryEntry) => `${e.tenantId}:${e.type}`);
    expect(await types({ limit: 100, types: ['SmtpConnectionTested', 'ConsentRevoked'] })).toEqual([
      'acme:SmtpConnectionTested',
      'beta:ConsentRevoked',
    ]);
    expect(await types({ limit: 100, tenantId: 'beta', types: ['MailConfigProvisioned'] })).toEqual([
      'beta:MailConfigProvisioned',
    ]);
    expect(
      await types({ limit: 100, since: new Date('2026-11-26T10:02:00Z'), until: new Date('2026-11-26T10:03:00Z') }),
    ).toEqual(['acme:SmtpConfigured', 'beta:GmailAuthorized']);
    expect(await types({ limit: 100, tenantId: 'nobody' })).toEqual([]);
  });

  it('pages with an opaque cursor and refuses one it did not issue', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await audit.events({ limit: 4, cursor, types: undefined });
      seen.push(...page.events.map((e) => e.eventId));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen).toEqual((await audit.events({ limit: 100 })).events.map((e) => e.eventId));
    await expect(audit.events({ limit: 4, cursor: 'bm9wZQ' })).rejects.toBeInstanceOf(InvalidCursorError);
  });
});
