import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/infrastructure/event-store/sqlite.event-store';
import { eventStoreContract } from './event-store.contract';

eventStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'es-sqlite-'));
  const store = new SqliteEventStore(join(dir, 'events.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite event store across connections', () => {
  it('lets exactly one of two connections on the same file win an append with the same expected version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'es-sqlite-'));
    const a = new SqliteEventStore(join(dir, 'events.db'));
    const b = new SqliteEventStore(join(dir, 'events.db'));
    const ev = (id: string) => ({
      eventId: id,
      type: 'T',
      data: {},
      metadata: { actor: 'x', correlationId: 'c', at: 'now' },
    });
    await a.appendToStream('mailConfig-x', [ev('00000000-0000-4000-8000-000000000001')], {
      expectedVersion: 'no_stream',
    });
    await b.appendToStream('mailConfig-x', [ev('00000000-0000-4000-8000-000000000002')], { expectedVersion: 1 });
    await expect(
      a.appendToStream('mailConfig-x', [ev('00000000-0000-4000-8000-000000000003')], { expectedVersion: 1 }),
    ).rejects.toMatchObject({ name: 'ConcurrencyError', actualVersion: 2 });
    expect((await a.readStream('mailConfig-x')).map((e) => e.eventId.slice(-1))).toEqual(['1', '2']);
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
