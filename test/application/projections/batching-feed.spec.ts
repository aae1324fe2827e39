import { type StoredEvent } from '../../../src/application/ports/event-store.port';
import { BatchingFeed } from '../../../src/application/projections/batching-feed';
import { provisioned } from './projection-fixtures';
import { stored } from '../../contract/read-models.fixture';

const event = (n: number): StoredEvent => stored(`t${n}`, 1, BigInt(n), provisioned(`t${n}`, `u${n}`));
const nextTurn = () => new Promise((r) => setImmediate(r));

describe('batching feed', () => {
  const positions = (batches: StoredEvent[][]) => batches.map((b) => b.map((e) => Number(e.position)));

  it('applies the first event at once and gathers what follows into the next batch until it is full', async () => {
    const batches: StoredEvent[][] = [];
    // An interval no test run reaches: only a full batch (or close) may end the wait.
    const feed = new BatchingFeed(async (events) => void batches.push(events), fail, 3, 3_600_000);
    await feed.push(event(1));
    await nextTurn();
    expect(positions(batches)).toEqual([[1]]);
    for (const n of [2, 3]) {
      await feed.push(event(n));
      await nextTurn();
    }
    expect(positions(batches)).toEqual([[1]]);
    await feed.push(event(4));
    expect(positions(batches)).toEqual([[1], [2, 3, 4]]);
    await feed.push(event(5));
    await feed.close();
    expect(positions(batches)).toEqual([[1], [2, 3, 4]]);
  });

  it('applies the events handed over in one turn (one page, one append) in one batch', async () => {
    const batches: StoredEvent[][] = [];
    const feed = new BatchingFeed(async (events) => void batches.push(events), fail, 10);
    // As the subscription delivers a page: one event per microtask, no turn in between.
    for (const n of [1, 2, 3]) await feed.push(event(n));
    expect(batches).toEqual([]);
    await nextTurn();
    await feed.push(event(4));
    await nextTurn();
    await feed.close();
    expect(positions(batches)).toEqual([[1, 2, 3], [4]]);
  });

  it('applies each event as it comes without an interval', async () => {
    const batches: StoredEvent[][] = [];
    const feed = new BatchingFeed(async (events) => void batches.push(events), fail, 3);
    for (const n of [1, 2, 3]) {
      await feed.push(event(n));
      await nextTurn();
    }
    await feed.close();
    expect(positions(batches)).toEqual([[1], [2], [3]]);
  });
});

function fail(error: Error): never {
  throw error;
}
