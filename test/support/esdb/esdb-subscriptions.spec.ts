import { randomUUID } from 'node:crypto';
import {
  type AllStreamSubscription,
  EventStoreDBClient,
  START,
  eventTypeFilter,
  jsonEvent,
  streamNameFilter,
} from '@eventstore/db-client';
import { type EsdbServer, startEsdbServer } from './esdb-server';

/** Catch-up subscriptions of the test server, observed through the real client. */

const event = (type: string) => jsonEvent({ id: randomUUID(), type, data: {} });
const CAUGHT_UP = 'caught-up';

/**
 * Records what a subscription delivers, in order. The client announces caught-up with an event
 * raised while it transforms the server's message, so pushing a marker there keeps it in place.
 */
function record(subscription: AllStreamSubscription | ReturnType<EventStoreDBClient['subscribeToStream']>) {
  const seen: string[] = [];
  subscription.on('caughtUp', () => subscription.push({ marker: CAUGHT_UP }));
  subscription.on('data', (item: { marker?: string; event?: { type: string; streamId: string } }) =>
    seen.push(item.marker ?? `${item.event!.streamId.split('-')[0]}:${item.event!.type}`),
  );
  subscription.on('error', (error) => seen.push(`error:${error.message}`));
  return seen;
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('test EventStoreDB subscriptions', () => {
  let server: EsdbServer;
  let client: EventStoreDBClient;
  let unique: string;

  beforeEach(async () => {
    server = await startEsdbServer();
    client = EventStoreDBClient.connectionString(server.connectionString);
    unique = randomUUID().slice(0, 8);
  });
  afterEach(async () => {
    await client.dispose();
    await server.stop();
  });

  it('confirms, delivers history, says caught-up once, then live events; the prefix filter excludes others', async () => {
    await client.appendToStream(`mine-${unique}`, [event('H1'), event('H2')]);
    await client.appendToStream(`other-${unique}`, event('X'));
    const subscription = client.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({ prefixes: ['mine-'] }),
    });
    let confirmed = false;
    subscription.on('confirmation', () => (confirmed = true));
    const seen = record(subscription);
    await until(() => seen.includes(CAUGHT_UP));
    await client.appendToStream(`mine-${unique}`, event('L1'));
    await client.appendToStream(`other-${unique}`, event('Y'));
    await client.appendToStream(`mine-${unique}`, event('L2'));
    await until(() => seen.length >= 5);
    expect(confirmed).toBe(true);
    expect(seen).toEqual(['mine:H1', 'mine:H2', CAUGHT_UP, 'mine:L1', 'mine:L2']);
    await subscription.unsubscribe();
  });

  it('starts after the given position, exclusively, and filters on event type', async () => {
    const first = await client.appendToStream(`mine-${unique}`, event('Keep1'));
    await client.appendToStream(`mine-${unique}`, [event('Drop'), event('Keep2')]);
    const subscription = client.subscribeToAll({
      fromPosition: first.position,
      filter: eventTypeFilter({ prefixes: ['Keep'] }),
    });
    const seen = record(subscription);
    await until(() => seen.includes(CAUGHT_UP));
    expect(seen).toEqual(['mine:Keep2', CAUGHT_UP]);
    await subscription.unsubscribe();
  });

  it('sends checkpoints while the filter skips events', async () => {
    const checkpoints: bigint[] = [];
    const filter = streamNameFilter({
      prefixes: ['nothing-matches-'],
      maxSearchWindow: 2,
      checkpointInterval: 1,
      checkpointReached: (_s, position) => void checkpoints.push(position.commit),
    });
    await client.appendToStream(`other-${unique}`, [event('A'), event('B'), event('C'), event('D')]);
    const subscription = client.subscribeToAll({ fromPosition: START, filter });
    const seen = record(subscription);
    await until(() => seen.includes(CAUGHT_UP));
    const last = await client.appendToStream(`other-${unique}`, [event('E'), event('F')]);
    await until(() => checkpoints.includes(last.position!.commit));
    expect([...checkpoints].sort((a, b) => (a < b ? -1 : 1))).toEqual(checkpoints);
    expect(seen).toEqual([CAUGHT_UP]);
    await subscription.unsubscribe();
  });

  it('subscribes to one stream: history, caught-up, live', async () => {
    await client.appendToStream(`mine-${unique}`, event('H1'));
    await client.appendToStream(`other-${unique}`, event('X'));
    const subscription = client.subscribeToStream(`mine-${unique}`);
    const seen = record(subscription);
    await until(() => seen.includes(CAUGHT_UP));
    await client.appendToStream(`mine-${unique}`, event('L1'));
    await until(() => seen.length >= 3);
    expect(seen).toEqual(['mine:H1', CAUGHT_UP, 'mine:L1']);
    await subscription.unsubscribe();
  });

  it('ends a live subscription with an error when the server goes down', async () => {
    const subscription = client.subscribeToAll({ fromPosition: START });
    const seen = record(subscription);
    await until(() => seen.includes(CAUGHT_UP));
    await server.stop();
    await until(() => seen.some((s) => s.startsWith('error:')));
  });
});
