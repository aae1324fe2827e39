import {
  type NewWebhookDelivery,
  type WebhookDeliveryStore,
} from '../../src/application/ports/webhook-delivery-store.port';

export interface WebhookDeliveryStoreFixture {
  store: WebhookDeliveryStore;
  /** Another instance's store on the same storage (the same store where only one instance runs). */
  another(): Promise<WebhookDeliveryStore>;
  cleanup(): Promise<void>;
}

const delivery = (position: number, tenantId = 't-1'): NewWebhookDelivery => ({
  id: `msg_${position}`,
  eventId: `e-${position}`,
  position: BigInt(position),
  tenantId,
  type: 'mail_config.mode_changed',
  body: JSON.stringify({ type: 'mail_config.mode_changed', data: { tenantId, n: position } }),
});
const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));

export function webhookDeliveryStoreContract(name: string, open: () => Promise<WebhookDeliveryStoreFixture>): void {
  describe(`webhook delivery store contract: ${name}`, () => {
    let fx: WebhookDeliveryStoreFixture;
    beforeEach(async () => {
      fx = await open();
    });
    afterEach(() => fx.cleanup());

    it('starts without a checkpoint, takes the first one once, and moves it with each batch', async () => {
      const { store } = fx;
      expect(await store.checkpoint()).toBeNull();
      expect(await store.initialise(5n)).toBe(5n);
      expect(await store.initialise(9n)).toBe(5n);
      expect(await store.enqueue([delivery(6), delivery(8)], 10n)).toBe(2);
      expect(await store.checkpoint()).toBe(10n);
      // A batch at or before the checkpoint (a redelivery, a second writer) queues nothing.
      expect(await store.enqueue([delivery(8), delivery(9)], 10n)).toBe(0);
      expect(await store.enqueue([delivery(9), delivery(11)], 12n)).toBe(1);
      expect((await store.list({ limit: 10 })).deliveries.map((d) => d.id)).toEqual(['msg_6', 'msg_8', 'msg_11']);
      await store.rewind(3n);
      expect(await store.checkpoint()).toBe(3n);
    });

    it('gives each due delivery to one claimer, and again after the claim’s lease ran out', async () => {
      const { store } = fx;
      await store.initialise(0n);
      await store.enqueue([delivery(1), delivery(2), delivery(3)], 3n);
      const other = await fx.another();
      const now = new Date(Date.now() + 1000);
      const [a, b] = await Promise.all([store.claimDue(now, 2, 10_000), other.claimDue(now, 2, 10_000)]);
      const ids = [...a, ...b].map((c) => c.delivery.id).sort();
      expect(ids).toEqual(['msg_1', 'msg_2', 'msg_3']);
      expect(await store.claimDue(now, 10, 10_000)).toEqual([]);
      const later = new Date(now.getTime() + 10_001);
      const again = await other.claimDue(later, 10, 10_000);
      expect(again.map((c) => c.delivery.id).sort()).toEqual(ids);
      // The first claims were taken over: their outcomes are not recorded.
      expect(
        await store.recordAttempt(a[0].delivery.id, a[0].claim, {
          at: later,
          statusCode: 204,
          error: null,
          status: 'delivered',
        }),
      ).toBe(false);
    });

    it('takes back an abandoned claim: due again at once, attempts and schedule untouched', async () => {
      const { store } = fx;
      await store.initialise(0n);
      await store.enqueue([delivery(1)], 1n);
      const [first] = await store.claimDue(at(0), 10, 1000);
      await store.recordAttempt(first.delivery.id, first.claim, {
        at: at(1),
        statusCode: 500,
        error: 'answered 500',
        status: 'pending',
        nextAttemptAt: at(5),
        scheduleIndex: 1,
      });
      const [held] = await store.claimDue(at(5), 10, 60_000);
      expect(await store.release(held.delivery.id, held.claim, at(6))).toBe(true);
      // Released once: the same claim cannot be handed back or recorded twice.
      expect(await store.release(held.delivery.id, held.claim, at(6))).toBe(false);
      expect(await store.nextDueAt()).toEqual(at(6));
      const [again] = await store.claimDue(at(6), 10, 1000);
      expect(again.delivery).toMatchObject({ id: 'msg_1', status: 'pending', attempts: 1, scheduleIndex: 1 });
      expect(again.delivery.lastError).toBe('answered 500');
      expect(
        await store.recordAttempt(held.delivery.id, held.claim, {
          at: at(7),
          statusCode: 204,
          error: null,
          status: 'delivered',
        }),
      ).toBe(false);
    });

    it('records retries, delivery and the dead letter, lists by status and replays', async () => {
      const { store } = fx;
      await store.initialise(0n);
      await store.enqueue([delivery(1), delivery(2)], 2n);
      const [first, second] = await store.claimDue(at(0), 10, 1000);
      expect(await store.nextDueAt()).toEqual(at(1));
      expect(
        await store.recordAttempt(first.delivery.id, first.claim, {
          at: at(1),
          statusCode: 500,
          error: 'answered 500',
          status: 'pending',
          nextAttemptAt: at(5),
          scheduleIndex: 1,
        }),
      ).toBe(true);
      await store.recordAttempt(second.delivery.id, second.claim, {
        at: at(1),
        statusCode: 204,
        error: null,
        status: 'delivered',
      });
      expect(await store.claimDue(at(4), 10, 1000)).toEqual([]);
      expect(await store.nextDueAt()).toEqual(at(5));
      const [retry] = await store.claimDue(at(5), 10, 1000);
      expect(retry.delivery).toMatchObject({ id: 'msg_1', attempts: 1, scheduleIndex: 1, lastError: 'answered 500' });
      await store.recordAttempt('msg_1', retry.claim, {
        at: at(6),
        statusCode: null,
        error: 'timed out',
        status: 'failed',
        scheduleIndex: 2,
      });
      expect(await store.nextDueAt()).toBeNull();
      expect(await store.counts()).toEqual({ pending: 0, delivered: 1, failed: 1 });

      const failed = await store.list({ status: 'failed', limit: 10 });
      expect(failed.deliveries).toHaveLength(1);
      expect(failed.deliveries[0]).toMatchObject({
        id: 'msg_1',
        status: 'failed',
        attempts: 2,
        failedAt: at(6),
        lastStatusCode: null,
        lastError: 'timed out',
        nextAttemptAt: null,
        body: delivery(1).body,
      });
      const replayed = await store.replay('msg_1', at(10), 'agent@support.example');
      expect(replayed).toMatchObject({
        status: 'pending',
        scheduleIndex: 0,
        replays: 1,
        failedAt: null,
        lastReplayedBy: 'agent@support.example',
      });
      expect(await store.replay('msg_nothing', at(10), 'agent')).toBeNull();
      const [replay] = await store.claimDue(at(10), 10, 1000);
      expect(replay.delivery.id).toBe('msg_1');
      await store.recordAttempt('msg_1', replay.claim, {
        at: at(11),
        statusCode: 200,
        error: null,
        status: 'delivered',
      });
      expect(await store.get('msg_1')).toMatchObject({
        status: 'delivered',
        attempts: 3,
        deliveredAt: at(11),
        lastError: null,
      });
      // Delivered ones are purged once old enough; msg_2 was delivered at 1 s, msg_1 at 11 s.
      expect(await store.purgeDelivered(at(11))).toBe(1);
      expect((await store.list({ limit: 10 })).deliveries.map((d) => d.id)).toEqual(['msg_1']);
    });

    it('deletes every delivery of an erased tenant with the batch that erased it', async () => {
      const { store } = fx;
      await store.initialise(0n);
      await store.enqueue([delivery(1, 'gone'), delivery(2, 'kept'), delivery(3, 'gone')], 3n);
      const [claimed] = await store.claimDue(new Date(Date.now() + 1000), 1, 1000);
      await store.recordAttempt(claimed.delivery.id, claimed.claim, {
        at: new Date(),
        statusCode: 204,
        error: null,
        status: 'delivered',
      });
      expect(await store.enqueue([delivery(5, 'kept')], 6n, ['gone'])).toBe(1);
      expect((await store.list({ limit: 10 })).deliveries.map((d) => d.id)).toEqual(['msg_2', 'msg_5']);
      expect(await store.checkpoint()).toBe(6n);
    });

    it('pages in event order', async () => {
      const { store } = fx;
      await store.initialise(0n);
      await store.enqueue(
        [1, 2, 3, 4, 5].map((n) => delivery(n)),
        5n,
      );
      const one = await store.list({ limit: 2 });
      expect(one.deliveries.map((d) => d.id)).toEqual(['msg_1', 'msg_2']);
      const two = await store.list({ limit: 2, after: one.nextAfter! });
      const three = await store.list({ limit: 2, after: two.nextAfter! });
      expect([...two.deliveries, ...three.deliveries].map((d) => d.id)).toEqual(['msg_3', 'msg_4', 'msg_5']);
      expect(three.nextAfter).toBeNull();
    });
  });
}
