import { type StoredEvent } from '../../../src/application/ports/event-store.port';
import { webhookDeliveryFor } from '../../../src/application/webhooks/webhook-messages';

const sealed = { keyId: 'k1', ciphertext: 'c2VjcmV0LWNpcGhlcnRleHQ=' };
let position = 0n;
const stored = (type: string, data: unknown, schemaVersion?: number): StoredEvent => ({
  eventId: `e-${++position}`,
  type,
  data,
  metadata: {
    actor: 'a',
    correlationId: 'c',
    at: '2030-01-01T00:00:00.000Z',
    ...(schemaVersion ? { schemaVersion } : {}),
  },
  streamId: 'mailConfig-t-1',
  version: Number(position),
  position,
});
const told = (event: StoredEvent) => {
  const d = webhookDeliveryFor(event);
  return d && { id: d.id, type: d.type, tenantId: d.tenantId, payload: JSON.parse(d.body) };
};

describe('which events the main application is told about, and in which words', () => {
  it.each(
    [
      [
        stored('ModeChanged', { from: 'gmail', to: 'default', reason: 'consent_revoked' }),
        'mail_config.mode_changed',
        'Mail now goes out through the default support address instead of Gmail because the consent was revoked',
      ],
      [
        stored(
          'ConsentRevoked',
          {
            provider: 'microsoft',
            reason: 'revoked_at_provider',
            account: 'a@b.example',
            revokedAt: 'x',
            googleRevocation: null,
          },
          2,
        ),
        'mail_config.consent_revoked',
        'Microsoft 365 consent for a@b.example was revoked at Microsoft',
      ],
      [
        // Stored before Microsoft mode: upcast to provider gmail.
        stored('ConsentRevoked', {
          reason: 'tenant_request',
          account: 'o@g.example',
          revokedAt: 'x',
          googleRevocation: null,
        }),
        'mail_config.consent_revoked',
        'Gmail consent for o@g.example was withdrawn by the tenant',
      ],
      [
        stored('DeliveryFailing', {
          mode: 'smtp',
          stage: 'auth',
          message: '535 bad login',
          consecutiveFailures: 3,
          since: 'x',
        }),
        'mail_config.delivery_failing',
        'Sending through the dedicated SMTP server failed 3 times in a row (auth): 535 bad login',
      ],
      [
        stored('DeliveryRecovered', { mode: 'gmail', recoveredAt: 'x' }),
        'mail_config.delivery_recovered',
        'Sending through Gmail works again',
      ],
      [
        stored('SmtpConnectionTested', {
          ok: false,
          stage: 'tls',
          message: 'certificate expired',
          durationMs: 5,
          testedAt: 'x',
        }),
        'mail_config.smtp_test_failed',
        'The SMTP connection test failed at the tls stage: certificate expired',
      ],
      [
        stored('GmailAuthorized', { account: 'o@g.example', scopes: [], refreshToken: sealed, authorizedAt: 'x' }),
        'mail_config.gmail_authorized',
        'Gmail sending was authorized for o@g.example',
      ],
      [
        stored('MicrosoftAuthorized', { account: 'a@b.example', scopes: [], refreshToken: sealed, authorizedAt: 'x' }),
        'mail_config.microsoft_authorized',
        'Microsoft 365 sending was authorized for a@b.example',
      ],
    ].map(([event, type, summary]) => [type as string, summary as string, event as StoredEvent] as const),
  )('%s: %s', (type, summary, event) => {
    const webhook = told(event)!;
    expect(webhook).toMatchObject({ id: `msg_${event.eventId}`, type, tenantId: 't-1' });
    expect(webhook.payload).toMatchObject({
      type,
      timestamp: event.metadata.at,
      data: { tenantId: 't-1', eventId: event.eventId, occurredAt: event.metadata.at, summary },
    });
    // Never a secret: no ciphertext, key id or token field travels.
    expect(JSON.stringify(webhook.payload)).not.toMatch(/ciphertext|keyId|refreshToken|c2VjcmV0/);
  });

  it.each(
    [
      stored('SmtpConnectionTested', { ok: true, stage: 'done', message: 'ok', durationMs: 5, testedAt: 'x' }),
      stored('MailConfigProvisioned', { tenantId: 't-1', username: 'u', defaultAddress: 'support.u@x.example' }),
      stored(
        'SmtpConfigured',
        {
          address: 'a@b.example',
          host: 'h',
          port: 587,
          security: 'starttls',
          username: 'u',
          password: sealed,
          passwordChanged: true,
          configuredAt: 'x',
        },
        2,
      ),
      stored('MailConfigErased', { erasedAt: 'x' }),
      stored('SomethingFromTheFuture', {}),
    ].map((e) => [e.type, e] as const),
  )('tells nothing of %s', (_type, event) => {
    expect(webhookDeliveryFor(event)).toBeNull();
  });

  it('gives an event the same webhook id and body whenever it is read', () => {
    const event = stored('DeliveryRecovered', { mode: 'smtp', recoveredAt: 'x' });
    expect(webhookDeliveryFor({ ...event })).toEqual(webhookDeliveryFor(event));
  });
});
