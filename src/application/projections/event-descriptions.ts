import { isMailConfigEventType, type MailConfigEvent } from '../../domain/mail-config/mail-config.events';
import { type HistoryEntry } from '../mail-config/history';
import { detectionOf, revocationInWords } from './tenant-record';

const MODE: Record<string, string> = {
  default: 'the default address',
  gmail: 'Gmail',
  microsoft: 'Microsoft 365',
  smtp: 'SMTP',
};
const SECURITY: Record<string, string> = { tls: 'TLS', starttls: 'STARTTLS', none: 'no encryption' };
const MODE_REASON: Record<string, string> = {
  requested: '',
  gmail_authorized: ' (Gmail was authorized)',
  microsoft_authorized: ' (Microsoft 365 was authorized)',
  smtp_activated: ' (SMTP settings saved and activated)',
  consent_revoked: ' (the consent was revoked)',
};

const modeName = (mode: string) => MODE[mode] ?? mode;

function describeKnown(event: MailConfigEvent, actor: string, detectedBy: string | null): string {
  switch (event.type) {
    case 'MailConfigProvisioned':
      return `Provisioned with username ${event.data.username}; default address ${event.data.defaultAddress}`;
    case 'ModeChanged':
      return (
        `Mode changed from ${modeName(event.data.from)} to ${modeName(event.data.to)}` +
        (MODE_REASON[event.data.reason] ?? ` (${event.data.reason})`)
      );
    case 'GmailAuthorized':
      return `Gmail account ${event.data.account} authorized to send`;
    case 'MicrosoftAuthorized':
      return `Microsoft 365 account ${event.data.account} authorized to send`;
    case 'ConsentRevoked': {
      const microsoft = event.data.provider === 'microsoft';
      const how = revocationInWords(
        { revokedReason: event.data.reason, detectedBy: detectionOf(event.data.reason, actor, detectedBy) },
        microsoft ? 'Microsoft' : 'Google',
      );
      const account = event.data.account ? ` (${event.data.account})` : '';
      const google = event.data.googleRevocation;
      const call = !google
        ? ''
        : google.ok
          ? '; Google confirmed the revocation'
          : `; asking Google to revoke failed${google.message ? `: ${google.message}` : ''}`;
      return `${microsoft ? 'Microsoft 365' : 'Gmail'} consent ${how}${account}${call}`;
    }
    case 'GoogleRevocationConfirmed': {
      const account = event.data.account ? ` (${event.data.account})` : '';
      // `attempts` counts the first try, made when the tenant withdrew consent.
      return `Google confirmed the revocation of the withdrawn Gmail grant${account} at try ${event.data.attempts}`;
    }
    case 'SmtpConfigured': {
      const d = event.data;
      return (
        `SMTP settings saved: ${d.host} port ${d.port} with ${SECURITY[d.security] ?? d.security}, ` +
        `login ${d.username}, sending as ${d.address}` +
        (d.passwordChanged ? ' (new password)' : ' (password kept)')
      );
    }
    case 'SmtpConnectionTested':
      return event.data.ok
        ? `SMTP test passed in ${event.data.durationMs} ms`
        : `SMTP test failed at ${event.data.stage}: ${event.data.message}`;
    case 'DeliveryFailing':
      return (
        `Sending through ${modeName(event.data.mode)} failing at ${event.data.stage} ` +
        `after ${event.data.consecutiveFailures} failed attempts: ${event.data.message}`
      );
    case 'DeliveryRecovered':
      return `Sending through ${modeName(event.data.mode)} works again`;
    case 'MailConfigErased':
      return 'Configuration erased; its secrets can no longer be read';
    case 'DisplayNameChanged':
      return event.data.displayName === null
        ? 'Display name removed: mail goes out under the address alone'
        : `Display name set to "${event.data.displayName}"`;
    case 'TestMessageSent':
      return event.data.ok
        ? `Test message to ${event.data.to} sent through ${modeName(event.data.mode)} from ${event.data.from}`
        : `Test message to ${event.data.to} failed at ${event.data.stage}: ${event.data.message}`;
    case 'SettingsLinkIssued': {
      const minutes = Math.round((Date.parse(event.data.expiresAt) - Date.parse(event.data.issuedAt)) / 60_000);
      return Number.isFinite(minutes)
        ? `Settings-page link issued, to be opened within ${minutes} minutes`
        : 'Settings-page link issued';
    }
    default: {
      const never: never = event;
      return (never as { type: string }).type;
    }
  }
}

/** One history entry in plain language ("Gmail consent revoked at Google, detected while sending"). */
export function describeEvent(entry: Pick<HistoryEntry, 'type' | 'data' | 'actor' | 'detectedBy'>): string {
  if (!isMailConfigEventType(entry.type)) return `${entry.type} (an event this version does not know)`;
  try {
    return describeKnown({ type: entry.type, data: entry.data } as MailConfigEvent, entry.actor, entry.detectedBy);
  } catch {
    // An event whose stored data lacks a field is still listed; its raw form is one click away.
    return entry.type;
  }
}
