import { type EventEmitter } from 'node:events';
import {
  type ReadAllOptions,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '../../application/ports/event-store.port';

const BATCH = 500;

/**
 * Catch-up subscription over a store that can read "all from a position": deliver history in
 * batches, signal caught-up, then wait for an append in this process (`wake`) or a poll tick
 * (appends by another process on the same file) and read again.
 */
export function pollingSubscription(
  readAll: (options: ReadAllOptions) => Promise<StoredEvent[]>,
  wake: EventEmitter,
  options: SubscribeOptions,
  handler: SubscriptionHandler,
  pollMs = 250,
): Subscription {
  let position = options.after;
  let closed = false;
  let signal: (() => void) | null = null;
  const onAppend = () => signal?.();
  wake.on('append', onAppend);

  const idle = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), pollMs);
      const done = () => {
        clearTimeout(timer);
        signal = null;
        resolve();
      };
      signal = done;
    });

  const loop = async () => {
    let wasCaughtUp = false;
    while (!closed) {
      const batch = await readAll({ after: position, streamPrefix: options.streamPrefix, maxCount: BATCH });
      for (const event of batch) {
        if (closed) return;
        await handler.onEvent(event);
        position = event.position;
      }
      if (batch.length < BATCH) {
        if (!wasCaughtUp) {
          wasCaughtUp = true;
          handler.onCaughtUp?.();
        }
        await idle();
      }
    }
  };
  const running = loop().catch((error: Error) => {
    if (!closed) handler.onError?.(error);
  });

  return {
    async close() {
      closed = true;
      wake.off('append', onAppend);
      signal?.();
      await running;
    },
  };
}
