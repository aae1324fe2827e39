import { applyEvents } from '../../src/application/projections/mail-config.projection';
import {
  provisioned,
  type ReadModelsUnderTest,
  sealed,
  smtpConfigured,
  smtpTested,
} from '../application/projections/projection-fixtures';
import { type OpenReadModels, type ReadModelFixture, stored } from './read-models.fixture';

const at = (minute: number) => `2026-11-26T10:${String(minute).padStart(2, '0')}:00.000Z`;
const ms = (minute: number) => Date.parse(at(minute));

export function auditIndexContract(name: string, open: OpenReadModels): void {
  describe(`audit index contract: ${name}`, () => {
    let fx: ReadModelFixture;
    let rm: ReadModelsUnderTest;
    const events = [
      stored('acme', 1, 3n, provisioned('acme', 'acme'), at(0)),
      stored('beta', 1, 7n, provisioned('beta', 'beta'), at(1)),
      stored('acme', 2, 9n, smtpConfigured('help@acme.example'), at(2)),
      stored('beta', 2, 12n, { type: 'FromTheFuture', data: { note: 'ünïcode "quoted" \\ text', n: 1 } }, 'not a time'),
      stored('acme', 3, 20n, smtpTested(false), at(4)),
    ];
    beforeAll(async () => {
      fx = await open();
      rm = fx.readModels;
      await applyEvents(rm.projections, events, (await rm.checkpoint()).generation);
    });
    afterAll(() => fx.cleanup());

    const positions = async (filter: Parameters<ReadModelsUnderTest['auditEvents']>[0]) =>
      (await rm.auditEvents(filter)).map((e) => e.position);

    it('gives back every event in position order, its data redacted and otherwise as written', async () => {
      const all = await rm.auditEvents({ limit: 100 });
      expect(all.map((e) => e.position)).toEqual([3n, 7n, 9n, 12n, 20n]);
      expect(all[3]).toEqual(events[3]);
      expect(JSON.stringify(all[3].data)).toBe(JSON.stringify(events[3].data));
      expect(all[2].data).toMatchObject({ address: 'help@acme.example', password: '[encrypted]' });
      expect(JSON.stringify(all.map((e) => e.data))).not.toContain(sealed(1).ciphertext);
    });

    it('filters by tenant and by several types', async () => {
      expect(await positions({ limit: 100, tenantId: 'acme' })).toEqual([3n, 9n, 20n]);
      expect(await positions({ limit: 100, types: ['MailConfigProvisioned', 'FromTheFuture'] })).toEqual([3n, 7n, 12n]);
      expect(await positions({ limit: 100, tenantId: 'beta', types: ['MailConfigProvisioned'] })).toEqual([7n]);
      expect(await positions({ limit: 100, tenantId: 'nobody' })).toEqual([]);
      expect(await positions({ limit: 100, types: [] })).toEqual([3n, 7n, 9n, 12n, 20n]);
    });

    it('keeps an inclusive time window, letting through an event whose time cannot be read', async () => {
      expect(await positions({ limit: 100, sinceMs: ms(1), untilMs: ms(2) })).toEqual([7n, 9n, 12n]);
      expect(await positions({ limit: 100, sinceMs: ms(3) })).toEqual([12n, 20n]);
      expect(await positions({ limit: 100, untilMs: ms(0) })).toEqual([3n, 12n]);
    });

    it('pages by position', async () => {
      expect(await positions({ limit: 2 })).toEqual([3n, 7n]);
      expect(await positions({ limit: 2, afterPosition: 7n })).toEqual([9n, 12n]);
      expect(await positions({ limit: 2, afterPosition: 20n })).toEqual([]);
      expect(await positions({ limit: 5, afterPosition: 3n, tenantId: 'acme' })).toEqual([9n, 20n]);
    });

    it('answers the same through another instance', async () => {
      const other = await fx.another();
      expect(await other.auditEvents({ limit: 100 })).toEqual(await rm.auditEvents({ limit: 100 }));
    });
  });
}
