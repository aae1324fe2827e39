/**
 * The durable webhook queue: one delivery per event worth telling the main application, enqueued
 * in the same transaction that moves the feed's checkpoint past the event (a restart loses and
 * repeats nothing), then claimed by one instance at a time for each attempt.
 */
export const WEBHOOK_DELIVERY_STORE = Symbol('WEBHOOK_DELIVERY_STORE');

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** A delivery as the feed creates it; `id` is the Standard Webhooks `webhook-id`, stable across attempts. */
export interface NewWebhookDelivery {
  id: string;
  eventId: string;
  /** Global position of the event (orders the list and pages it). */
  position: bigint;
  tenantId: string;
  type: string;
  /** The exact JSON sent on every attempt. */
  body: string;
}

export interface WebhookDelivery extends NewWebhookDelivery {
  status: WebhookDeliveryStatus;
  /** Attempts made over the delivery's whole life (replays included). */
  attempts: number;
  /** Failed attempts since the last success or replay: where the retry schedule stands. */
  scheduleIndex: number;
  createdAt: Date;
  /** When the next attempt is due (pending), else null. */
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  /** The receiver's status code of the last attempt (null: no answer). */
  lastStatusCode: number | null;
  /** Why the last attempt failed, in words; null after a success. */
  lastError: string | null;
  deliveredAt: Date | null;
  /** When the schedule ran out (dead letter). */
  failedAt: Date | null;
  replays: number;
  lastReplayedBy: string | null;
}

/** A delivery claimed for one attempt: `claim` must be handed back with the outcome. */
export interface ClaimedWebhookDelivery {
  delivery: WebhookDelivery;
  claim: string;
}

/** What an attempt leads to. */
export type WebhookAttemptRecord = {
  at: Date;
  statusCode: number | null;
  error: string | null;
} & (
  | { status: 'delivered' }
  | { status: 'pending'; nextAttemptAt: Date; scheduleIndex: number }
  | { status: 'failed'; scheduleIndex: number }
);

export interface WebhookDeliveryPage {
  deliveries: WebhookDelivery[];
  /** Position of the last delivery when there may be more. */
  nextAfter: bigint | null;
}

export interface WebhookDeliveryStore {
  /** Where the feed resumes; null before the feed first started. */
  checkpoint(): Promise<bigint | null>;
  /** Sets the first checkpoint (the store's head when webhooks were switched on), unless one exists. */
  initialise(position: bigint): Promise<bigint>;
  /** Moves a checkpoint that lies beyond the event store's head (another store) back to it. */
  rewind(position: bigint): Promise<void>;
  /**
   * One transaction: takes the checkpoint for update, deletes every delivery of `erasedTenants`
   * (their bodies name accounts and servers: erasure leaves none behind), inserts the deliveries
   * of events after the checkpoint (an id already queued is left alone), moves it to `position`.
   * Returns how many were queued.
   */
  enqueue(
    deliveries: readonly NewWebhookDelivery[],
    position: bigint,
    erasedTenants?: readonly string[],
  ): Promise<number>;
  /**
   * Takes up to `limit` pending deliveries due at `now` that no one else holds, and holds them
   * until `now + leaseMs` (an instance dying mid-attempt lets them fall due again then).
   */
  claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedWebhookDelivery[]>;
  /** Records an attempt's outcome, if the claim still stands; false when it was taken over. */
  recordAttempt(id: string, claim: string, record: WebhookAttemptRecord): Promise<boolean>;
  /**
   * Hands back a claim whose attempt was abandoned (the instance shutting down): the delivery falls
   * due at `at`, its attempts and place in the retry schedule untouched. False when it was taken over.
   */
  release(id: string, claim: string, at: Date): Promise<boolean>;
  /** The earliest time a pending delivery falls due, or null when none is pending. */
  nextDueAt(): Promise<Date | null>;
  list(filter: { status?: WebhookDeliveryStatus; after?: bigint; limit: number }): Promise<WebhookDeliveryPage>;
  get(id: string): Promise<WebhookDelivery | null>;
  /**
   * Queues a failed or delivered delivery again, due at `now`, with a fresh schedule; returns it,
   * or null when there is no such delivery. A pending one is returned unchanged.
   */
  replay(id: string, now: Date, actor: string): Promise<WebhookDelivery | null>;
  counts(): Promise<Record<WebhookDeliveryStatus, number>>;
  /** Deletes deliveries delivered before `before` (failed ones stay until replayed); returns how many. */
  purgeDelivered(before: Date): Promise<number>;
  close(): Promise<void>;
}
