import { toHistoryEntry } from '../../../src/application/mail-config/history';
import { StateReader } from '../../../src/application/mail-config/state-reader';
import { toDomainEvent } from '../../../src/application/mail-config/event-codec';
import { type StoredEvent } from '../../../src/application/ports/event-store.port';
import { InMemoryEventStore } from '../../../src/infrastructure/event-store/in-memory.event-store';

/**
 * SmtpConfigured changed shape (passwordChanged was added) and its schema version went 1 → 2:
 * events are lifted by the version in their metadata, so streams written before still fold.
 */
describe('event schema versions', () => {
  const stream = 'mailConfig-old';
  const at = '2026-01-05T10:00:00.000Z';
  const smtpV1 = {
    address: 'help@acme.example',
    host: 'smtp.acme.example',
    port: 587,
    security: 'starttls',
    username: 'help@acme.example',
    password: { keyId: 'k1', ciphertext: 'c2VhbGVk' },
    configuredAt: at,
  };

  async function storeWith(smtp: { data: Record<string, unknown>; schemaVersion?: number }) {
    const store = new InMemoryEventStore();
    const meta = { actor: 'agent', correlationId: 'c-1', at };
    await store.appendToStream(
      stream,
      [
        {
          eventId: '0d5b1a4e-1b9e-4a55-8d0a-5c3f2a1b0c01',
          type: 'MailConfigProvisioned',
          data: { tenantId: 'old', username: 'acme', defaultAddress: 'support.acme@smemetrics-email.com' },
          metadata: meta,
        },
        // Written before schema versions were recorded: no schemaVersion in the metadata at all.
        {
          eventId: '0d5b1a4e-1b9e-4a55-8d0a-5c3f2a1b0c02',
          type: 'SmtpConfigured',
          data: smtp.data,
          metadata: smtp.schemaVersion === undefined ? meta : { ...meta, schemaVersion: smtp.schemaVersion },
        },
      ],
      { expectedVersion: 'no_stream' },
    );
    return store;
  }

  it('reads a stored v1 SmtpConfigured (no passwordChanged) as a password change', async () => {
    const store = await storeWith({ data: smtpV1 });
    const [, stored] = await store.readStream(stream);
    expect(stored.metadata.schemaVersion).toBeUndefined();
    expect(toDomainEvent(stored)).toEqual({ type: 'SmtpConfigured', data: { ...smtpV1, passwordChanged: true } });
    const loaded = await new StateReader(store).load('old');
    expect(loaded.state.smtp).toMatchObject({ address: 'help@acme.example', port: 587, lastTest: null });
    expect(toHistoryEntry(stored).data).toMatchObject({
      passwordChanged: true,
      password: '[encrypted]',
    });
  });

  it('leaves a v2 event as stored: its passwordChanged is not overwritten', async () => {
    const store = await storeWith({ data: { ...smtpV1, passwordChanged: false }, schemaVersion: 2 });
    const [, stored] = await store.readStream(stream);
    expect(toDomainEvent(stored).data).toMatchObject({ passwordChanged: false });
  });

  it('lifts by the version in the metadata, not by looking at the data', () => {
    const stored = (schemaVersion: number, data: Record<string, unknown>): StoredEvent => ({
      eventId: 'e',
      streamId: stream,
      version: 2,
      position: 2n,
      type: 'SmtpConfigured',
      data,
      metadata: { actor: 'a', correlationId: 'c', at, schemaVersion },
    });
    // A v2 event missing the field (a bug elsewhere) is not silently "repaired" into a change.
    expect(toDomainEvent(stored(2, smtpV1)).data).not.toHaveProperty('passwordChanged');
    expect(toDomainEvent(stored(1, smtpV1)).data).toMatchObject({ passwordChanged: true });
  });
});
