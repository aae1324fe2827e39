import { MAIL_CONFIG_EVENT_TYPES } from '../../domain/mail-config/mail-config.events';

/**
 * Every event-stream category the service writes, in one place: the README's EventStoreDB rights
 * section is written from this list, and test/e2e/stream-categories.e2e.spec.ts fails when a flow
 * writes a stream or an event type that is not here.
 *
 * A category is a stream-name prefix; each stream of it is `<prefix><id>`.
 */
export interface StreamCategory {
  readonly prefix: string;
  readonly eventTypes: readonly string[];
  /** Why the category exists, and why it is not part of a tenant's history. */
  readonly purpose: string;
  /**
   * `$maxAge` set on each stream when it is created (EventStoreDB scavenges what is older);
   * absent means kept for good.
   */
  readonly maxAgeSeconds?: number;
}

/** Tenant history: the one aggregate, folded by the decider and read by projections and audit. */
export const MAIL_CONFIG_STREAM_PREFIX = 'mailConfig-';
/** One stream per issued OAuth `state` (named by a hash of its nonce): single use across instances. */
export const OAUTH_STATE_STREAM_PREFIX = 'oauthState-';
/** Revocations Google did not confirm, per tenant: a work queue, not tenant history. */
export const GOOGLE_REVOCATION_STREAM_PREFIX = 'googleRevocation-';
/** One stream per issued settings link (named by a hash of its nonce): single use across instances. */
export const SETTINGS_LINK_STREAM_PREFIX = 'settingsLink-';
/** One stream per normalised username: which tenant's default address it is, across instances. */
export const USERNAME_CLAIM_STREAM_PREFIX = 'usernameClaim-';

/** Events an operator set aside so projections go past them (`events quarantine`): one stream per projection. */
export const EVENT_QUARANTINE_STREAM_PREFIX = 'eventQuarantine-';

/**
 * A day: far past every state's and link's lifetime (minutes), so a replay is still told apart
 * from a forgery for a while, and short enough that the streams do not pile up for ever.
 */
export const SINGLE_USE_STREAM_MAX_AGE_SECONDS = 24 * 60 * 60;

export const STREAM_CATEGORIES: readonly StreamCategory[] = [
  {
    prefix: MAIL_CONFIG_STREAM_PREFIX,
    eventTypes: MAIL_CONFIG_EVENT_TYPES,
    purpose: "A tenant's support-email configuration history; the only stream projections and audit read.",
  },
  {
    prefix: OAUTH_STATE_STREAM_PREFIX,
    eventTypes: ['OAuthStateIssued', 'OAuthStateConsumed'],
    purpose:
      'The OAuth `state` of a Gmail (or other provider) consent round trip: issued with its sealed PKCE ' +
      'verifier, consumed once with an expected version, so exactly one callback on any instance wins.',
    maxAgeSeconds: SINGLE_USE_STREAM_MAX_AGE_SECONDS,
  },
  {
    prefix: GOOGLE_REVOCATION_STREAM_PREFIX,
    eventTypes: ['GoogleRevocationPending', 'GoogleRevocationAttempted'],
    purpose:
      'Refresh tokens Google did not confirm revoking when consent was withdrawn, and each retry: ' +
      'the work queue of the revocation-retry job, shared by every instance.',
  },
  {
    prefix: SETTINGS_LINK_STREAM_PREFIX,
    eventTypes: ['SettingsLinkIssued', 'SettingsLinkRedeemed'],
    purpose: 'A single-use link into the settings page: issued, then redeemed once on any instance.',
    maxAgeSeconds: SINGLE_USE_STREAM_MAX_AGE_SECONDS,
  },
  {
    prefix: USERNAME_CLAIM_STREAM_PREFIX,
    eventTypes: ['UsernameClaimed'],
    purpose:
      'A support address claimed by one tenant: appended with "no stream" before the tenant is provisioned, ' +
      'so two tenants never share an address on any instance. Never released: an erased tenant keeps it.',
  },
  {
    prefix: EVENT_QUARANTINE_STREAM_PREFIX,
    eventTypes: ['EventQuarantined'],
    purpose:
      'Stored events an operator quarantined (CLI `events quarantine`) because they cannot be read back: ' +
      'the projections skip them, with a log line, and go on for every other tenant.',
  },
];

/** The category a stream belongs to, or undefined when the service never writes such a stream. */
export function categoryOf(streamId: string): StreamCategory | undefined {
  return STREAM_CATEGORIES.find((c) => streamId.startsWith(c.prefix) && streamId.length > c.prefix.length);
}
