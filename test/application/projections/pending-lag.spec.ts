import { PendingLag } from '../../../src/application/projections/pending-lag';
import { EventDecodeError, type NewEvent } from '../../../src/application/ports/event-store.port';
import { InMemoryEventStore } from '../../../src/infrastructure/event-store/in-memory.event-store';
import { newEvent } from '../../contract/event-store.contract';

const at = (iso: string): NewEvent => ({
  ...newEvent('Something'),
  metadata: { actor: 't', correlationId: 'c', at: iso },
});
const NOW = new Date('2026-12-03T12:00:10.000Z');

describe('PendingLag: how long the oldest tenant event after a checkpoint has waited', () => {
  it('measures the oldest of ours, past foreign events, and 0 when none waits', async () => {
    const store = new InMemoryEventStore();
    const lag = new PendingLag(store);
    await store.appendToStream('oauthState-a', [at('2026-12-03T12:00:00.000Z')], { expectedVersion: 'any' });
    const first = await store.appendToStream('mailConfig-t1', [at('2026-12-03T12:00:04.000Z')], {
      expectedVersion: 'any',
    });
    await store.appendToStream('mailConfig-t2', [at('2026-12-03T12:00:07.000Z')], { expectedVersion: 'any' });
    expect(await lag.at(0n, await store.headPosition(), NOW)).toBe(6000);
    expect(await lag.at(first.position, await store.headPosition(), NOW)).toBe(3000);
    expect(await lag.at(await store.headPosition(), await store.headPosition(), NOW)).toBe(0);
  });

  it('does not read again a range found to hold none of ours, yet sees what is appended after it', async () => {
    const store = new InMemoryEventStore();
    const lag = new PendingLag(store);
    const mine = await store.appendToStream('mailConfig-t1', [at('2026-12-03T12:00:00.000Z')], {
      expectedVersion: 'any',
    });
    for (let i = 0; i < 5; i++) await store.appendToStream(`oauthState-${i}`, [newEvent()], { expectedVersion: 'any' });
    const reads = jest.spyOn(store, 'readAll');
    const checkpoint = mine.position;
    const head = await store.headPosition();
    expect(await lag.at(checkpoint, head, NOW)).toBe(0);
    expect(reads.mock.calls.at(-1)![0]).toMatchObject({ after: checkpoint });
    expect(await lag.at(checkpoint, head, NOW)).toBe(0);
    expect(reads.mock.calls.at(-1)![0]).toMatchObject({ after: head });
    await store.appendToStream('mailConfig-t2', [at('2026-12-03T12:00:09.000Z')], { expectedVersion: 'any' });
    expect(await lag.at(checkpoint, await store.headPosition(), NOW)).toBe(1000);
  });

  it('is null when the next event cannot be decoded, and passes other failures on', async () => {
    const store = new InMemoryEventStore();
    const lag = new PendingLag(store);
    const reads = jest.spyOn(store, 'readAll');
    reads.mockRejectedValueOnce(new EventDecodeError('mailConfig-t1', 1, 1n, 'not JSON'));
    expect(await lag.at(0n, 1n, NOW)).toBeNull();
    reads.mockRejectedValueOnce(new Error('store unavailable'));
    await expect(lag.at(0n, 1n, NOW)).rejects.toThrow('store unavailable');
  });
});
