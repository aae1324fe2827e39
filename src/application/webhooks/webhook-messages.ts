import { type MailConfigEvent } from '../../domain/mail-config/mail-config.events';
import { type Mode } from '../../domain/mail-config/mail-config.types';
import { toDomainEvent, UnknownEventTypeError } from '../mail-config/event-codec';
import { tenantOf } from '../mail-config/streams';
import { type StoredEvent } from '../ports/event-store.port';
import { type NewWebhookDelivery } from '../ports/webhook-delivery-store.port';

/** The webhook event types, each from one stored event type (README and docs/contract/extensions.md). */
export const WEBHOOK_EVENT_TYPES = [
  'mail_config.mode_changed',
  'mail_config.consent_revoked',
  'mail_config.delivery_failing',
  'mail_config.delivery_recovered',
  'mail_config.smtp_test_failed',
  'mail_config.gmail_authorized',
  'mail_config.microsoft_authorized',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const MODE_WORDS: Record<Mode, string> = {
  default: 'the default support address',
  gmail: 'Gmail',
  microsoft: 'Microsoft 365',
  smtp: 'the dedicated SMTP server',
};
const PROVIDER_WORDS = { gmail: 'Gmail', microsoft: 'Microsoft 365' } as const;

/** What the main application is told: the webhook type, words for a person, and safe specifics. */
type Told = { type: WebhookEventType; summary: string; details: Record<string, unknown> } | null;

/** Never a secret: only fields that are plain facts (no token, ciphertext or password) are copied. */
function tell(event: MailConfigEvent): Told {
  switch (event.type) {
    case 'ModeChanged': {
      const { from, to, reason } = event.data;
      const why = reason === 'consent_revoked' ? ' because the consent was revoked' : '';
      return {
        type: 'mail_config.mode_changed',
        summary: `Mail now goes out through ${MODE_WORDS[to]} instead of ${MODE_WORDS[from]}${why}`,
        details: { from, to, reason },
      };
    }
    case 'ConsentRevoked': {
      const { provider, reason, account } = event.data;
      const who = account ? ` for ${account}` : '';
      const at = provider === 'gmail' ? 'Google' : 'Microsoft';
      const how = reason === 'tenant_request' ? 'was withdrawn by the tenant' : `was revoked at ${at}`;
      return {
        type: 'mail_config.consent_revoked',
        summary: `${PROVIDER_WORDS[provider]} consent${who} ${how}`,
        details: { provider, reason, account },
      };
    }
    case 'DeliveryFailing': {
      const { mode, stage, message, consecutiveFailures } = event.data;
      return {
        type: 'mail_config.delivery_failing',
        summary:
          `Sending through ${MODE_WORDS[mode]} failed ${consecutiveFailures} times in a row ` +
          `(${stage}): ${message}`,
        details: { mode, stage, message, consecutiveFailures },
      };
    }
    case 'DeliveryRecovered':
      return {
        type: 'mail_config.delivery_recovered',
        summary: `Sending through ${MODE_WORDS[event.data.mode]} works again`,
        details: { mode: event.data.mode },
      };
    case 'SmtpConnectionTested': {
      const { ok, stage, message } = event.data;
      if (ok) return null;
      return {
        type: 'mail_config.smtp_test_failed',
        summary: `The SMTP connection test failed at the ${stage} stage: ${message}`,
        details: { stage, message },
      };
    }
    case 'GmailAuthorized':
      return {
        type: 'mail_config.gmail_authorized',
        summary: `Gmail sending was authorized for ${event.data.account}`,
        details: { account: event.data.account },
      };
    case 'MicrosoftAuthorized':
      return {
        type: 'mail_config.microsoft_authorized',
        summary: `Microsoft 365 sending was authorized for ${event.data.account}`,
        details: { account: event.data.account },
      };
    case 'MailConfigProvisioned':
    case 'SmtpConfigured':
    case 'MailConfigErased':
    case 'DisplayNameChanged':
    case 'TestMessageSent':
    case 'SettingsLinkIssued':
    case 'GoogleRevocationConfirmed': // the consent's end was announced already; this corrects Google's first answer
      return null;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

/**
 * The delivery a stored event becomes, or null when the main application is not told about it.
 * The webhook id is derived from the event id, so it is the same on every attempt, on every
 * instance, and after a restart. The body is fixed here and sent byte for byte on each attempt.
 */
export function webhookDeliveryFor(event: StoredEvent): NewWebhookDelivery | null {
  let decoded: MailConfigEvent;
  try {
    decoded = toDomainEvent(event);
  } catch (error) {
    if (error instanceof UnknownEventTypeError) return null;
    throw error;
  }
  const told = tell(decoded);
  if (!told) return null;
  const tenantId = tenantOf(event.streamId);
  const body = JSON.stringify({
    type: told.type,
    timestamp: event.metadata.at,
    data: { tenantId, eventId: event.eventId, occurredAt: event.metadata.at, summary: told.summary, ...told.details },
  });
  return {
    id: `msg_${event.eventId}`,
    eventId: event.eventId,
    position: event.position,
    tenantId,
    type: told.type,
    body,
  };
}
