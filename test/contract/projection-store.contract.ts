import { type ReadModelChanges } from '../../src/application/ports/projection-store.port';
import { applyEvents, ReadModelResetError } from '../../src/application/projections/mail-config.projection';
import { evolveTenantRecord } from '../../src/application/projections/tenant-record';
import {
  provisioned,
  type ReadModelsUnderTest,
  smtpConfigured,
  smtpTested,
  snapshot,
} from '../application/projections/projection-fixtures';
import { type OpenReadModels, type ReadModelFixture, stored } from './read-models.fixture';

const record = (tenantId: string, username: string, version = 1) =>
  evolveTenantRecord(null, tenantId, provisioned(tenantId, username), {
    version,
    at: '2026-11-26T10:00:00Z',
    actor: 'a',
  });

const changes = (over: Partial<ReadModelChanges>): ReadModelChanges => ({
  tenants: [],
  audit: [],
  skipped: [],
  position: 0n,
  ...over,
});

/** Events of `tenants` tenants, three each, at positions 1…3n in store order. */
function history(tenants: number) {
  const events = [];
  let position = 0n;
  for (let round = 1; round <= 3; round++) {
    for (let i = 0; i < tenants; i++) {
      const id = `t-${String(i).padStart(3, '0')}`;
      const event =
        round === 1
          ? provisioned(id, `u${i}`)
          : round === 2
            ? smtpConfigured(`h@${id}.example`)
            : smtpTested(i % 2 === 0);
      events.push(stored(id, round, ++position, event));
    }
  }
  return events;
}

export function projectionStoreContract(name: string, open: OpenReadModels): void {
  describe(`projection store contract: ${name}`, () => {
    let fx: ReadModelFixture;
    let rm: ReadModelsUnderTest;
    beforeEach(async () => {
      fx = await open();
      rm = fx.readModels;
    });
    afterEach(() => fx.cleanup());

    it('starts empty at position 0', async () => {
      expect((await rm.checkpoint()).position).toBe(0n);
      expect(await rm.skipped()).toEqual([]);
      expect(await rm.tenants({ limit: 10 })).toEqual([]);
    });

    it('commits a batch’s rows, audit entries, skipped types and checkpoint together, or none of them', async () => {
      const event = stored('acme', 1, 5n, provisioned('acme', 'acme'));
      await expect(
        rm.projections.apply(['acme'], () => {
          throw new Error('crash between the rows and the checkpoint');
        }),
      ).rejects.toThrow('crash');
      expect(await snapshot(rm)).toMatchObject({ checkpoint: 0n, tenants: [], audit: [], skipped: [] });

      const answer = await rm.projections.apply(['acme'], (view) => ({
        changes: changes({
          tenants: [record('acme', 'acme')],
          audit: [{ tenantId: 'acme', event }],
          skipped: [{ type: 'Archived', count: 2, lastPosition: 5n }],
          position: 5n,
        }),
        result: view.checkpoint.position,
      }));
      expect(answer).toBe(0n);
      const other = await fx.another();
      expect(await snapshot(other)).toEqual({
        checkpoint: 5n,
        counts: expect.objectContaining({ tenants: 1 }),
        tenants: [expect.objectContaining({ tenantId: 'acme', username: 'acme' })],
        audit: [event],
        skipped: [{ type: 'Archived', count: 2, lastPosition: 5n }],
      });
    });

    it('hands the plan the checkpoint and the current records of the tenants asked for, and only those', async () => {
      await rm.projections.apply([], () => ({
        changes: changes({ tenants: [record('a', 'a', 3), record('b', 'b')], position: 7n }),
        result: null,
      }));
      const view = await rm.projections.apply(['a', 'nobody'], (v) => ({ changes: null, result: v }));
      expect(view.checkpoint.position).toBe(7n);
      expect([...view.tenants.keys()]).toEqual(['a']);
      expect(view.tenants.get('a')).toEqual(record('a', 'a', 3));
    });

    it('adds up skipped event types over batches', async () => {
      for (const position of [1n, 2n]) {
        await rm.projections.apply([], () => ({
          changes: changes({ skipped: [{ type: 'FromTheFuture', count: 1, lastPosition: position }], position }),
          result: null,
        }));
      }
      expect(await rm.skipped()).toEqual([{ type: 'FromTheFuture', count: 2, lastPosition: 2n }]);
    });

    it('empties everything on reset and starts a new generation; a writer of the old one is refused', async () => {
      const before = await rm.checkpoint();
      await applyEvents(rm.projections, history(2), before.generation);
      expect(await rm.projections.reset()).toEqual({ position: 0n, generation: before.generation + 1 });
      expect(await snapshot(rm)).toMatchObject({ checkpoint: 0n, tenants: [], audit: [], skipped: [] });
      await expect(applyEvents(rm.projections, history(1), before.generation)).rejects.toBeInstanceOf(
        ReadModelResetError,
      );
      expect((await rm.checkpoint()).position).toBe(0n);
    });

    it('writes every event once when two instances deliver the same events at once', async () => {
      const events = history(20);
      const other = await fx.another();
      const { generation } = await rm.checkpoint();
      // Both deliver everything, in batches of different sizes, racing each other.
      const deliver = async (target: ReadModelsUnderTest, size: number) => {
        const outcomes = [];
        for (let i = 0; i < events.length; i += size)
          outcomes.push(...(await applyEvents(target.projections, events.slice(i, i + size), generation)));
        return outcomes;
      };
      const [a, b] = await Promise.all([deliver(rm, 7), deliver(other, 5)]);
      const applied = (o: string[]) => o.filter((x) => x === 'applied').length;
      expect(applied(a) + applied(b)).toBe(events.length);

      const single = await (async () => {
        const clean = await open();
        try {
          await applyEvents(clean.readModels.projections, events, (await clean.readModels.checkpoint()).generation);
          return await snapshot(clean.readModels);
        } finally {
          await clean.cleanup();
        }
      })();
      expect(await snapshot(rm)).toEqual(single);
      expect(single.audit.map((e) => e.position)).toEqual(events.map((e) => e.position));
      // Failed tests of SMTP drafts (the tenants stay in default mode): attention, not "SMTP failing".
      expect(single.counts).toMatchObject({ tenants: 20, needsAttention: 10, smtpFailing: 0 });
    });
  });
}
