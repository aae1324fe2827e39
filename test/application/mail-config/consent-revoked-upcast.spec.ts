import { toDomainEvent } from '../../../src/application/mail-config/event-codec';
import { toHistoryEntry } from '../../../src/application/mail-config/history';
import { StateReader } from '../../../src/application/mail-config/state-reader';
import { InMemoryEventStore } from '../../../src/infrastructure/event-store/in-memory.event-store';

/**
 * ConsentRevoked gained `provider` with Microsoft 365 mode (schema version 1 → 2). A Gmail stream
 * stored before then — ConsentRevoked without a provider, no schemaVersion in the metadata —
 * must still read as a Gmail revocation, and must not end a Microsoft grant.
 */
describe('a stored pre-Microsoft ConsentRevoked', () => {
  const at = '2026-11-20T10:00:00.000Z';
  const meta = { actor: 'agent', correlationId: 'c-1', at };
  const revokedV1 = {
    reason: 'revoked_at_google',
    account: 'owner@gmail.com',
    revokedAt: at,
    googleRevocation: null,
  };

  async function preChangeStream() {
    const store = new InMemoryEventStore();
    const event = (n: number, type: string, data: Record<string, unknown>) => ({
      eventId: `0d5b1a4e-1b9e-4a55-8d0a-5c3f2a1b0d0${n}`,
      type,
      data,
      metadata: meta,
    });
    await store.appendToStream(
      'mailConfig-old',
      [
        event(1, 'MailConfigProvisioned', {
          tenantId: 'old',
          username: 'acme',
          defaultAddress: 'support.acme@smemetrics-email.com',
        }),
        event(2, 'GmailAuthorized', {
          account: 'owner@gmail.com',
          scopes: ['openid', 'email', 'https://www.googleapis.com/auth/gmail.send'],
          refreshToken: { keyId: 'k1', ciphertext: 'c2VhbGVk' },
          authorizedAt: at,
        }),
        event(3, 'ModeChanged', { from: 'default', to: 'gmail', reason: 'gmail_authorized' }),
        event(4, 'ConsentRevoked', revokedV1),
        event(5, 'ModeChanged', { from: 'gmail', to: 'default', reason: 'consent_revoked' }),
      ],
      { expectedVersion: 'no_stream' },
    );
    return store;
  }

  it('reads as a Gmail revocation', async () => {
    const store = await preChangeStream();
    const stored = (await store.readStream('mailConfig-old'))[3];
    expect(stored.metadata.schemaVersion).toBeUndefined();
    expect(toDomainEvent(stored)).toEqual({ type: 'ConsentRevoked', data: { provider: 'gmail', ...revokedV1 } });
    expect(toHistoryEntry(stored).data).toMatchObject({ provider: 'gmail', reason: 'revoked_at_google' });
  });

  it('folds into a revoked Gmail grant and leaves Microsoft untouched', async () => {
    const { state } = await new StateReader(await preChangeStream()).load('old');
    expect(state.mode).toBe('default');
    expect(state.gmail).toMatchObject({ status: 'revoked', revokedReason: 'revoked_at_google', refreshToken: null });
    expect(state.microsoft.status).toBe('not_authorized');
  });
});
