import {
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type EventStoreDBClient,
  START,
  excludeSystemEvents,
  streamNameFilter,
} from '@eventstore/db-client';
import {
  EventStoreUnavailableError,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '../../../application/ports/event-store.port';
import { translateError } from './eventstoredb-errors';
import { fromPosition, isSystemEvent, toStoredEvent } from './eventstoredb-mapping';

const CAUGHT_UP = Symbol('caught-up');

/**
 * A catch-up subscription to $all: history from `after` (exclusive on the server), then live.
 * Events are handed over one at a time and the next is read only when the handler's promise
 * settles; the client's stream buffers a few and gRPC flow control holds back the rest.
 */
export function subscribeToAll(
  client: EventStoreDBClient,
  options: SubscribeOptions,
  handler: SubscriptionHandler,
): Subscription {
  const subscription = client.subscribeToAll({
    fromPosition: options.after === undefined ? START : fromPosition(options.after),
    filter: options.streamPrefix ? streamNameFilter({ prefixes: [options.streamPrefix] }) : excludeSystemEvents(),
  });
  // The client raises 'caughtUp' while it transforms the server's message, i.e. after every
  // earlier event was pushed and before any later one; a marker pushed right there keeps the
  // signal in order with the events, so onCaughtUp runs after the last history event is handled.
  subscription.on('caughtUp', () => subscription.push(CAUGHT_UP));
  // Errors reach the loop through the iterator; this keeps one raised after close() from
  // becoming an uncaught exception that would take the process down.
  subscription.on('error', () => undefined);

  let closed = false;
  const stop = async () => {
    await subscription.unsubscribe().catch(() => undefined);
    // Cancelling the call does not end the client's stream; destroying it ends the loop.
    subscription.destroy();
  };
  const running = consume(subscription, handler, () => closed).catch(async (error: unknown) => {
    if (closed) return;
    await stop(); // a failing handler must not leave the call open on the server
    handler.onError?.(translateError(error));
  });

  return {
    async close() {
      if (closed) return;
      closed = true;
      await stop();
      await running;
    },
  };
}

async function consume(
  subscription: AllStreamSubscription,
  handler: SubscriptionHandler,
  isClosed: () => boolean,
): Promise<void> {
  for await (const item of subscription as AsyncIterable<AllStreamResolvedEvent | typeof CAUGHT_UP>) {
    if (isClosed()) return;
    if (item === CAUGHT_UP) {
      handler.onCaughtUp?.();
      continue;
    }
    const recorded = item.event;
    // The stream-name filter lets a tombstone ("$streamDeleted" in a matching stream) through.
    if (!recorded || isSystemEvent(recorded)) continue;
    await handler.onEvent(toStoredEvent(recorded, item.commitPosition));
  }
  if (!isClosed()) throw new EventStoreUnavailableError('EventStoreDB ended the subscription');
}
