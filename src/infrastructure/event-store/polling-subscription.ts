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
 * What a store can answer without a query: the events after `after` (prefix filter applied, at
 * most `maxCount`), when it knows every position after `after` up to `through` — the last
 * position it looked at. Null when it cannot vouch for that range; the subscription then reads.
 */
export type RecentEvents = (
  after: bigint,
  streamPrefix: string | undefined,
  maxCount: number,
) => { events: StoredEvent[]; through: bigint } | null;

/**
 * Catch-up subscription over a store that can read "all from a position": deliver history in
 * batches, signal caught-up, then wait for an append in this process (`wake`) or a poll tick
 * (appends by another process on the same file) and read again. A store that keeps what it just
 * committed (`recent`) hands that over instead of the read; any range it cannot vouch for is read.
 */
export function pollingSubscription(
  readAll: (options: ReadAllOptions) => Promise<StoredEvent[]>,
  wake: EventEmitter,
  options: SubscribeOptions,
  handler: SubscriptionHandler,
  pollMs = 250,
  recent?: RecentEvents,
): Subscription {
  // `scanned` may run ahead of the last event delivered: positions the store vouched for that
  // hold none of this subscription's events need not be read again.
  let scanned = options.after ?? 0n;
  let closed = false;
  let signal: (() => void) | null = null;
  // An append while events were being delivered: the next wait must not sleep through it.
  let woken = false;
  const onAppend = () => {
    if (signal) signal();
    else woken = true;
  };
  wake.on('append', onAppend);

  /** Resolves on an append in this process ('wake') or after pollMs ('timer'). */
  const idle = () =>
    new Promise<'wake' | 'timer'>((resolve) => {
      // Closed while the last batch was delivered: close() found no wait to end, so none starts.
      if (woken || closed) return resolve('wake');
      const timer = setTimeout(() => done('timer'), pollMs);
      const done = (why: 'wake' | 'timer') => {
        clearTimeout(timer);
        signal = null;
        resolve(why);
      };
      signal = () => done('wake');
    });

  const loop = async () => {
    let wasCaughtUp = false;
    // Catch-up and poll ticks read the file: only a read sees what another process appended.
    let read = true;
    while (!closed) {
      woken = false;
      const known: ReturnType<RecentEvents> = read ? null : (recent?.(scanned, options.streamPrefix, BATCH) ?? null);
      const batch = known
        ? known.events
        : await readAll({ after: scanned, streamPrefix: options.streamPrefix, maxCount: BATCH });
      for (const event of batch) {
        if (closed) return;
        await handler.onEvent(event);
        scanned = event.position;
      }
      if (known && known.through > scanned) scanned = known.through;
      if (batch.length < BATCH) {
        if (!wasCaughtUp) {
          wasCaughtUp = true;
          handler.onCaughtUp?.();
        }
        read = (await idle()) === 'timer';
      } else {
        read = !known;
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
