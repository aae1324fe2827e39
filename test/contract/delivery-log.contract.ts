import { randomUUID } from 'node:crypto';
import type { DeliveryLog, DeliveryRecord } from '../../src/application/ports/delivery-log.port';

export interface DeliveryLogFixture {
  log: DeliveryLog;
  /** Another log on the same storage: another instance of the service. */
  another(): Promise<DeliveryLog>;
  cleanup(): Promise<void>;
}

const tenant = () => `t-${randomUUID().slice(0, 8)}`;
const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 10, minute)).toISOString();

function record(tenantId: string, minute: number, overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    tenantId,
    messageId: `<${randomUUID()}@example.org>`,
    at: at(minute),
    to: [`client${minute}@example.org`],
    cc: [],
    bcc: [],
    subject: `Ticket ${minute}`,
    mode: 'default',
    from: 'support.acme@smemetrics-email.com',
    outcome: 'sent',
    stage: null,
    detail: null,
    fallback: null,
    idempotencyKey: null,
    correlationId: randomUUID(),
    actor: 'main-app',
    ...overrides,
  };
}

export function deliveryLogContract(name: string, open: () => Promise<DeliveryLogFixture>): void {
  describe(`delivery log contract: ${name}`, () => {
    let fx: DeliveryLogFixture;
    let log: DeliveryLog;
    beforeEach(async () => {
      fx = await open();
      log = fx.log;
    });
    afterEach(() => fx.cleanup());

    it('stores what was recorded once flushed, newest first, with every field back', async () => {
      const t = tenant();
      const first = record(t, 1, {
        cc: ['Boss@Example.org'],
        fallback: { from: 'gmail', reason: 'grant_revoked' },
        idempotencyKey: 'k-1',
      });
      const second = record(t, 2, { outcome: 'failed', stage: 'auth', detail: '535 5.7.8 no', messageId: null });
      log.record(first);
      log.record(second);
      await log.flush();
      const page = await log.search(t, { limit: 10 });
      expect(page.more).toBe(false);
      expect(page.records.map(({ seq: _seq, ...r }) => r)).toEqual([second, first]);
      expect(page.records[0].seq).toBeGreaterThan(page.records[1].seq);
    });

    it('keeps tenants apart', async () => {
      const [a, b] = [tenant(), tenant()];
      log.record(record(a, 1));
      log.record(record(b, 2));
      await log.flush();
      expect((await log.search(a, { limit: 10 })).records.map((r) => r.tenantId)).toEqual([a]);
    });

    it('finds messages by any recipient, case-insensitively, by time window and by outcome', async () => {
      const t = tenant();
      log.record(record(t, 1, { to: ['a@example.org'] }));
      log.record(record(t, 2, { to: ['b@example.org'], bcc: ['A@Example.org'], outcome: 'uncertain' }));
      log.record(record(t, 3, { to: ['c@example.org'] }));
      log.record(record(t, 4, { to: ['a@example.org'], outcome: 'failed', stage: 'auth' }));
      await log.flush();
      const subjects = async (filter: Parameters<DeliveryLog['search']>[1]) =>
        (await log.search(t, filter)).records.map((r) => r.subject);
      expect(await subjects({ to: 'a@EXAMPLE.org', limit: 10 })).toEqual(['Ticket 4', 'Ticket 2', 'Ticket 1']);
      expect(await subjects({ since: new Date(at(2)), until: new Date(at(3)), limit: 10 })).toEqual([
        'Ticket 3',
        'Ticket 2',
      ]);
      expect(await subjects({ outcome: 'failed', limit: 10 })).toEqual(['Ticket 4']);
      expect(await subjects({ to: 'a@example.org', outcome: 'sent', limit: 10 })).toEqual(['Ticket 1']);
    });

    it('pages backwards from the newest with `before` = the last position seen', async () => {
      const t = tenant();
      for (let m = 1; m <= 5; m++) log.record(record(t, m));
      await log.flush();
      const first = await log.search(t, { limit: 2 });
      expect(first.records.map((r) => r.subject)).toEqual(['Ticket 5', 'Ticket 4']);
      expect(first.more).toBe(true);
      const second = await log.search(t, { limit: 2, before: first.records[1].seq });
      expect(second.records.map((r) => r.subject)).toEqual(['Ticket 3', 'Ticket 2']);
      const last = await log.search(t, { limit: 2, before: second.records[1].seq });
      expect(last.records.map((r) => r.subject)).toEqual(['Ticket 1']);
      expect(last.more).toBe(false);
    });

    it("erases a tenant's records, also ones still queued, and nobody else's", async () => {
      const [gone, kept] = [tenant(), tenant()];
      log.record(record(gone, 1));
      log.record(record(kept, 1));
      await log.flush();
      log.record(record(gone, 2));
      expect(await log.eraseTenant(gone)).toBe(1);
      await log.flush();
      expect((await log.search(gone, { limit: 10 })).records).toEqual([]);
      expect((await log.search(gone, { to: 'client1@example.org', limit: 10 })).records).toEqual([]);
      expect((await log.search(kept, { limit: 10 })).records).toHaveLength(1);
    });

    it('purges records older than the cutoff', async () => {
      const t = tenant();
      for (let m = 1; m <= 4; m++) log.record(record(t, m));
      await log.flush();
      expect(await log.purgeBefore(new Date(at(3)))).toBe(2);
      expect((await log.search(t, { limit: 10 })).records.map((r) => r.subject)).toEqual(['Ticket 4', 'Ticket 3']);
      expect((await log.search(t, { to: 'client1@example.org', limit: 10 })).records).toEqual([]);
    });

    it('a burst of records is written without waiting on each, and another instance reads them', async () => {
      const t = tenant();
      for (let i = 0; i < 450; i++) log.record(record(t, i % 60, { subject: `burst ${i}` }));
      await log.flush();
      const other = await fx.another();
      const page = await other.search(t, { limit: 500 });
      expect(page.records).toHaveLength(450);
      expect(new Set(page.records.map((r) => r.subject)).size).toBe(450);
    });
  });
}
