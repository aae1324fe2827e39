import {
  type ConsentProvider,
  type ConsentRevocationReason,
  type EncryptedValue,
  type Mode,
  type SmtpSecurity,
  type SmtpTestStage,
} from './mail-config.types';

/** The persisted event type names. Renaming one breaks every stored stream: add, never rename. */
export const MAIL_CONFIG_EVENT_TYPES = [
  'MailConfigProvisioned',
  'ModeChanged',
  'GmailAuthorized',
  'MicrosoftAuthorized',
  'ConsentRevoked',
  'SmtpConfigured',
  'SmtpConnectionTested',
  'DeliveryFailing',
  'DeliveryRecovered',
  'MailConfigErased',
  'DisplayNameChanged',
  'TestMessageSent',
  'SettingsLinkIssued',
  'GoogleRevocationConfirmed',
] as const;

export type MailConfigEventType = (typeof MAIL_CONFIG_EVENT_TYPES)[number];

export type ModeChangeReason =
  'requested' | 'gmail_authorized' | 'microsoft_authorized' | 'smtp_activated' | 'consent_revoked';

export type MailConfigProvisioned = {
  type: 'MailConfigProvisioned';
  data: { tenantId: string; username: string; defaultAddress: string };
};
export type ModeChanged = {
  type: 'ModeChanged';
  /** `forced`: SMTP activated without a passing Test, on the caller's explicit request. */
  data: { from: Mode; to: Mode; reason: ModeChangeReason; forced?: true };
};
export type GmailAuthorized = {
  type: 'GmailAuthorized';
  data: { account: string; scopes: string[]; refreshToken: EncryptedValue; authorizedAt: string };
};
export type MicrosoftAuthorized = {
  type: 'MicrosoftAuthorized';
  data: { account: string; scopes: string[]; refreshToken: EncryptedValue; authorizedAt: string };
};
export type ConsentRevoked = {
  type: 'ConsentRevoked';
  data: {
    /** Whose grant ended. Events stored before Microsoft mode have none: the codec reads them as gmail. */
    provider: ConsentProvider;
    reason: ConsentRevocationReason;
    account: string | null;
    revokedAt: string;
    /** Outcome of asking Google to revoke the token (tenant requests only); null when not attempted. */
    googleRevocation: null | { ok: boolean; message: string | null };
  };
};
/**
 * Google confirmed, on a later retry, the revocation that failed when the tenant withdrew consent
 * (ConsentRevoked.googleRevocation.ok was false). The retries themselves are a work queue outside
 * the tenant's history (`googleRevocation-` streams); this is their outcome, where the tenant's
 * view and history look.
 */
export type GoogleRevocationConfirmed = {
  type: 'GoogleRevocationConfirmed';
  data: { account: string | null; confirmedAt: string; attempts: number };
};
export type SmtpConfigured = {
  type: 'SmtpConfigured';
  data: {
    address: string;
    host: string;
    port: number;
    security: SmtpSecurity;
    username: string;
    password: EncryptedValue;
    passwordChanged: boolean;
    configuredAt: string;
  };
};
export type SmtpConnectionTested = {
  type: 'SmtpConnectionTested';
  data: {
    ok: boolean;
    stage: SmtpTestStage;
    message: string;
    durationMs: number;
    testedAt: string;
    /** Keyed digest of the tested settings (absent before activation needed a Test). */
    fingerprint?: string;
  };
};
export type DeliveryFailing = {
  type: 'DeliveryFailing';
  data: { mode: Mode; stage: string; message: string; consecutiveFailures: number; since: string };
};
export type DeliveryRecovered = {
  type: 'DeliveryRecovered';
  data: { mode: Mode; recoveredAt: string };
};
/** The tenant's display name, the phrase of the From in every mode; null: none (the bare address). */
export type DisplayNameChanged = {
  type: 'DisplayNameChanged';
  data: { displayName: string | null };
};
export type MailConfigErased = {
  type: 'MailConfigErased';
  data: { erasedAt: string };
};

/** A support agent's test message (dashboard action): where it went and how it ended; never its content. */
export type TestMessageSent = {
  type: 'TestMessageSent';
  data: {
    to: string;
    ok: boolean;
    /** The mode it left through (the default mode after a fallback), or the mode that failed. */
    mode: Mode;
    from: string | null;
    messageId: string | null;
    /** Where it failed (null when it was sent) and the server's secret-free text. */
    stage: string | null;
    message: string | null;
    sentAt: string;
  };
};
/** A support agent made a settings-page link for the tenant; the link itself (a secret) is not kept. */
export type SettingsLinkIssued = {
  type: 'SettingsLinkIssued';
  data: { expiresAt: string; issuedAt: string };
};

export type MailConfigEvent =
  | MailConfigProvisioned
  | ModeChanged
  | GmailAuthorized
  | MicrosoftAuthorized
  | ConsentRevoked
  | SmtpConfigured
  | SmtpConnectionTested
  | DeliveryFailing
  | DeliveryRecovered
  | DisplayNameChanged
  | MailConfigErased
  | TestMessageSent
  | SettingsLinkIssued
  | GoogleRevocationConfirmed;

export function isMailConfigEventType(type: string): type is MailConfigEventType {
  return (MAIL_CONFIG_EVENT_TYPES as readonly string[]).includes(type);
}
