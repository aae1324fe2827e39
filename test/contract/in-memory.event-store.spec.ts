import { InMemoryEventStore } from '../../src/infrastructure/event-store/in-memory.event-store';
import { eventStoreContract, typedReadContract } from './event-store.contract';

eventStoreContract('in-memory', async () => {
  const store = new InMemoryEventStore();
  return { store, cleanup: () => store.close() };
});

describe('in-memory event store, reads by type', () => {
  it('gives readAll’s events of the asked types only, in order, maxCount counting them', async () => {
    const store = new InMemoryEventStore();
    await typedReadContract(store);
    await store.close();
  });
});
