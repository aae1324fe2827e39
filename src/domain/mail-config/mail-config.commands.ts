import {
  type ConsentRevocationReason,
  type EncryptedValue,
  type Mode,
  type SmtpActivationEvidence,
  type SmtpSecurity,
  type SmtpTestStage,
} from './mail-config.types';

/** Every time, id and ciphertext a decision needs arrives inside the command. */
export type ProvisionMailConfig = {
  type: 'ProvisionMailConfig';
  /** `displayName` (optional): the From phrase of every mode, recorded as DisplayNameChanged in the same append. */
  data: { tenantId: string; username: string; senderDomain: string; displayName?: string | null };
};
/** null clears it: the From is then the bare address. */
export type ChangeDisplayName = { type: 'ChangeDisplayName'; data: { displayName: string | null } };
export type ChangeMode = {
  type: 'ChangeMode';
  data: {
    mode: Mode;
    /** When the command is decided (for the freshness of a passing Test). */
    at?: string;
    /** Activate SMTP without a passing Test; recorded in ModeChanged. */
    force?: boolean;
    /** For SMTP: the saved configuration's evidence; `configuredAt` names the configuration it is about. */
    smtp?: SmtpActivationEvidence & { configuredAt: string };
  };
};
export type ConfigureSmtp = {
  type: 'ConfigureSmtp';
  data: {
    address: string;
    host: string;
    port: number;
    security: SmtpSecurity;
    username: string;
    /** Absent: keep the stored password, which only the same host, port and username may reuse. */
    password: EncryptedValue | null;
    activate: boolean;
    at: string;
    /** With activate: skip the Test; recorded in ModeChanged. */
    force?: boolean;
    /** With activate: the new configuration's fingerprint and Test. */
    evidence?: SmtpActivationEvidence;
  };
};
export type RecordSmtpTest = {
  type: 'RecordSmtpTest';
  data: { ok: boolean; stage: SmtpTestStage; message: string; durationMs: number; at: string; fingerprint?: string };
};
export type AuthorizeGmail = {
  type: 'AuthorizeGmail';
  data: { account: string; scopes: string[]; refreshToken: EncryptedValue; at: string };
};
export type RevokeGmailConsent = {
  type: 'RevokeGmailConsent';
  data: {
    reason: ConsentRevocationReason;
    at: string;
    googleRevocation: null | { ok: boolean; message: string | null };
    /**
     * The grant the caller found revoked (its authorizedAt). When the tenant has authorized again
     * since, the revocation is about a grant that is already gone and records nothing.
     */
    grantAuthorizedAt?: string | null;
  };
};
/** A queued retry of the revocation at Google succeeded (see GoogleRevocationConfirmed). */
export type ConfirmGoogleRevocation = {
  type: 'ConfirmGoogleRevocation';
  data: { account: string | null; at: string; attempts: number };
};
export type AuthorizeMicrosoft = {
  type: 'AuthorizeMicrosoft';
  data: { account: string; scopes: string[]; refreshToken: EncryptedValue; at: string };
};
export type RevokeMicrosoftConsent = {
  type: 'RevokeMicrosoftConsent';
  data: {
    reason: 'tenant_request' | 'revoked_at_provider';
    at: string;
    /** As for Gmail: a revocation about a grant that was replaced meanwhile records nothing. */
    grantAuthorizedAt?: string | null;
  };
};
export type RecordDeliveryFailure = {
  type: 'RecordDeliveryFailure';
  data: { mode: Mode; stage: string; message: string; consecutiveFailures: number; at: string };
};
export type RecordDeliverySuccess = { type: 'RecordDeliverySuccess'; data: { mode: Mode; at: string } };
export type RecordTestMessage = {
  type: 'RecordTestMessage';
  data: {
    to: string;
    ok: boolean;
    mode: Mode;
    from: string | null;
    messageId: string | null;
    stage: string | null;
    message: string | null;
    at: string;
  };
};
export type RecordSettingsLink = { type: 'RecordSettingsLink'; data: { expiresAt: string; at: string } };
export type EraseMailConfig = { type: 'EraseMailConfig'; data: { at: string } };

export type MailConfigCommand =
  | ProvisionMailConfig
  | ChangeMode
  | ChangeDisplayName
  | ConfigureSmtp
  | RecordSmtpTest
  | AuthorizeGmail
  | RevokeGmailConsent
  | ConfirmGoogleRevocation
  | AuthorizeMicrosoft
  | RevokeMicrosoftConsent
  | RecordDeliveryFailure
  | RecordDeliverySuccess
  | RecordTestMessage
  | RecordSettingsLink
  | EraseMailConfig;
