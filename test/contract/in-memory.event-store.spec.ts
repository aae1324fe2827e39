import { InMemoryEventStore } from '../../src/infrastructure/event-store/in-memory.event-store';
import { eventStoreContract } from './event-store.contract';

eventStoreContract('in-memory', async () => {
  const store = new InMemoryEventStore();
  return { store, cleanup: () => store.close() };
});
