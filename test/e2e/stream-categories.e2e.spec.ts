import { CommandBus } from '@nestjs/cqrs';
import { QuarantineEventCommand } from '../../src/application/projections/commands/quarantine-event.command';
import { EventStoreDBClient } from '@eventstore/db-client';
import {
  categoryOf,
  OAUTH_STATE_STREAM_PREFIX,
  SETTINGS_LINK_STREAM_PREFIX,
  SINGLE_USE_STREAM_MAX_AGE_SECONDS,
  STREAM_CATEGORIES,
} from '../../src/application/common/stream-categories';
import { type FakeEventStoreForE2e, startFakeEventStoreForE2e } from '../support/esdb/e2e';
import { GmailHarness, PUBLIC_ORIGIN } from '../support/google/gmail-harness';
import { request } from '../support/http';

/**
 * What the README's EventStoreDB rights section promises: every stream the service writes belongs
 * to a category listed in src/application/common/stream-categories.ts, with a listed event type.
 * Driven on the EventStoreDB test server, whose $all is read back with the plain client.
 */
describe('event-stream categories the service writes', () => {
  let esdb: FakeEventStoreForE2e;
  let h: GmailHarness;

  beforeAll(async () => {
    esdb = await startFakeEventStoreForE2e();
    h = await GmailHarness.start({ env: { ...esdb.env, PUBLIC_URL: PUBLIC_ORIGIN } });
  });
  afterAll(async () => {
    await h?.close();
    await esdb?.release();
  });

  it('writes only listed categories and event types, and gives single-use streams a $maxAge', async () => {
    // Provisioning, Gmail consent, a withdrawal Google first refuses and a retry, a settings link.
    const tenant = await h.provisioned('cat');
    await h.authorize(tenant);
    h.google.fail('revoke', { status: 503, times: 3 });
    const withdrawn = await h.svc.api.delete(`/v1/tenants/${tenant}/mail-config/gmail/authorization`);
    expect(withdrawn.body).toMatchObject({ gmail: { status: 'revoked', googleRevocation: { ok: false } } });
    expect(await h.revocationRetry.runOnce({ dueOnly: false })).toEqual({ attempted: 1, revoked: 1 });
    const link = await h.svc.api.post(`/v1/tenants/${tenant}/settings-sessions`, { actor: 'ana@acme.example' });
    expect(link.status).toBe(201);
    const url = new URL(link.body.url as string);
    const opened = await request('GET', `${h.svc.url}${url.pathname}${url.search}`, { token: null });
    expect(opened.status).toBe(303);
    // An operator setting an event aside (the CLI dispatches the same command).
    const quarantined = await h.svc.running.app
      .get(CommandBus)
      .execute(
        new QuarantineEventCommand(`mailConfig-${tenant}`, 1, 'exercised', { actor: 'ops', correlationId: 'c' }),
      );
    expect(quarantined.outcome).toBe('quarantined');

    const client = EventStoreDBClient.connectionString(esdb.env.EVENTSTORE_CONNECTION_STRING);
    try {
      const written: { stream: string; type: string }[] = [];
      for await (const { event } of client.readAll()) {
        if (event && !event.streamId.startsWith('$')) written.push({ stream: event.streamId, type: event.type });
      }
      const unlisted = written.filter((w) => !categoryOf(w.stream)?.eventTypes.includes(w.type));
      expect(unlisted).toEqual([]);
      const seen = (prefix: string) => [
        ...new Set(written.filter((w) => w.stream.startsWith(prefix)).map((w) => w.type)),
      ];
      // Every category and every event type besides the tenant history's was exercised.
      for (const category of STREAM_CATEGORIES) {
        if (category.prefix === 'mailConfig-') expect(seen(category.prefix).length).toBeGreaterThan(3);
        else expect(seen(category.prefix).sort()).toEqual([...category.eventTypes].sort());
      }
      const singleUse = [
        ...new Set(
          written
            .map((w) => w.stream)
            .filter((s) => s.startsWith(OAUTH_STATE_STREAM_PREFIX) || s.startsWith(SETTINGS_LINK_STREAM_PREFIX)),
        ),
      ];
      expect(singleUse.length).toBeGreaterThanOrEqual(2);
      for (const stream of singleUse) {
        expect([stream, (await client.getStreamMetadata(stream)).metadata?.maxAge]).toEqual([
          stream,
          SINGLE_USE_STREAM_MAX_AGE_SECONDS,
        ]);
      }
    } finally {
      await client.dispose();
    }
  });
});
