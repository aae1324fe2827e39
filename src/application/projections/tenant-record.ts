import { type MailConfigEvent } from '../../domain/mail-config/mail-config.events';
import { senderFor } from '../../domain/mail-config/mail-config.state';
import { normaliseUsername } from '../mail-config/provisioned-usernames';
import {
  type Attention,
  type GrantDetails,
  type RevocationDetection,
  type TenantDetails,
  type TenantRecord,
} from '../ports/read-model.port';

export interface EventFacts {
  version: number;
  at: string;
  actor: string;
  /** Metadata `detectedBy` of what the service recorded on its own (`send`, `consent-check`). */
  detectedBy?: string | null;
}

function blank(tenantId: string, facts: EventFacts): TenantRecord {
  return {
    tenantId,
    username: null,
    usernameKey: null,
    mode: 'default',
    sender: null,
    status: 'ok',
    attention: null,
    lastChangeAt: facts.at,
    lastChangeBy: facts.actor,
    defaultAddress: null,
    gmailAccount: null,
    smtpAddress: null,
    gmailRevokedAtGoogle: false,
    microsoftAccount: null,
    microsoftRevokedAtProvider: false,
    smtpTestFailed: false,
    sendFailingMode: null,
    smtpFailing: false,
    reason: null,
    details: emptyDetails(),
    accounts: [],
    version: 0,
  };
}

function emptyDetails(): TenantDetails {
  return {
    smtp: null,
    lastTest: null,
    gmail: null,
    microsoft: null,
    lastDeliveryFailure: null,
    lastTestMessage: null,
    lastSettingsLink: null,
  };
}

/**
 * Who noticed a revocation at the provider: the event's `detectedBy` metadata (actor `system`);
 * events recorded before it existed name the consent check in their actor (`system:…-consent-check`),
 * and otherwise a send (its caller was the actor) ran into it.
 */
export function detectionOf(reason: string, actor: string, detectedBy?: string | null): RevocationDetection {
  if (reason === 'tenant_request') return 'tenant';
  if (detectedBy === 'consent-check') return 'consent_check';
  if (detectedBy === 'send') return 'sending';
  return /^system:.*consent-check$/.test(actor) ? 'consent_check' : 'sending';
}

function detailsChange(d: TenantDetails, event: MailConfigEvent, facts: EventFacts): Partial<TenantDetails> {
  switch (event.type) {
    case 'GmailAuthorized':
    case 'MicrosoftAuthorized': {
      const grant: GrantDetails = {
        account: event.data.account,
        status: 'authorized',
        authorizedAt: event.data.authorizedAt,
        revokedAt: null,
        revokedReason: null,
        detectedBy: null,
        revokedBy: null,
      };
      return event.type === 'GmailAuthorized' ? { gmail: grant } : { microsoft: grant };
    }
    case 'ConsentRevoked': {
      const key = event.data.provider === 'microsoft' ? 'microsoft' : 'gmail';
      const before = d[key];
      const grant: GrantDetails = {
        account: event.data.account ?? before?.account ?? null,
        status: 'revoked',
        authorizedAt: before?.authorizedAt ?? null,
        revokedAt: event.data.revokedAt,
        revokedReason: event.data.reason,
        detectedBy: detectionOf(event.data.reason, facts.actor, facts.detectedBy),
        revokedBy: facts.actor,
      };
      return { [key]: grant };
    }
    case 'SmtpConfigured': {
      const { address, host, port, security, username, configuredAt } = event.data;
      return {
        smtp: { address, host, port, security, username, configuredAt, configuredBy: facts.actor },
        lastTest: null,
      };
    }
    case 'SmtpConnectionTested': {
      const { ok, stage, message, durationMs, testedAt } = event.data;
      return { lastTest: { ok, stage, message, durationMs, at: testedAt, by: facts.actor } };
    }
    case 'DeliveryFailing': {
      const { mode, stage, message, consecutiveFailures, since } = event.data;
      return { lastDeliveryFailure: { mode, stage, message, consecutiveFailures, since, recoveredAt: null } };
    }
    case 'DeliveryRecovered':
      return d.lastDeliveryFailure
        ? { lastDeliveryFailure: { ...d.lastDeliveryFailure, recoveredAt: event.data.recoveredAt } }
        : {};
    case 'TestMessageSent': {
      const { to, ok, mode, from, stage, message, sentAt } = event.data;
      return { lastTestMessage: { to, ok, mode, from, stage, message, at: sentAt, by: facts.actor } };
    }
    case 'SettingsLinkIssued':
      return { lastSettingsLink: { expiresAt: event.data.expiresAt, at: event.data.issuedAt, by: facts.actor } };
    default:
      return {};
  }
}

function accountsAfter(accounts: readonly string[], event: MailConfigEvent): string[] {
  if (event.type !== 'GmailAuthorized' && event.type !== 'MicrosoftAuthorized') return [...accounts];
  const account = event.data.account.toLowerCase();
  return accounts.includes(account) ? [...accounts] : [...accounts, account];
}

type Flags = Pick<
  TenantRecord,
  | 'mode'
  | 'defaultAddress'
  | 'gmailAccount'
  | 'smtpAddress'
  | 'gmailRevokedAtGoogle'
  | 'microsoftAccount'
  | 'microsoftRevokedAtProvider'
  | 'smtpTestFailed'
  | 'sendFailingMode'
>;

function senderOf(r: Flags): string | null {
  return senderFor(r.mode, {
    default: r.defaultAddress,
    gmail: r.gmailAccount,
    microsoft: r.microsoftAccount ?? null,
    smtp: r.smtpAddress,
  });
}

/**
 * One attention reason is shown; the most urgent wins: mail failing right now, then a Gmail
 * grant lost at Google or a Microsoft grant lost at Microsoft (the tenant silently fell back to
 * the default address), then a failed test.
 * Failing sends count only while they are in the active mode: after a switch they no longer
 * affect the tenant's mail.
 */
function attentionOf(r: Flags): Attention | null {
  if (r.sendFailingMode !== null && r.sendFailingMode === r.mode) return 'send_failing';
  if (r.gmailRevokedAtGoogle) return 'gmail_revoked';
  if (r.microsoftRevokedAtProvider) return 'microsoft_revoked';
  if (r.smtpTestFailed) return 'smtp_test_failed';
  return null;
}

function changeFlags(r: TenantRecord, event: MailConfigEvent): Partial<TenantRecord> {
  switch (event.type) {
    case 'MailConfigProvisioned':
      return {
        username: event.data.username,
        usernameKey: normaliseUsername(event.data.username),
        defaultAddress: event.data.defaultAddress,
      };
    case 'ModeChanged':
      return { mode: event.data.to };
    case 'GmailAuthorized':
      return { gmailAccount: event.data.account, gmailRevokedAtGoogle: false };
    case 'MicrosoftAuthorized':
      return { microsoftAccount: event.data.account, microsoftRevokedAtProvider: false };
    case 'ConsentRevoked':
      // As for Gmail: the tenant's own withdrawal is a choice; the provider ending the grant is trouble.
      if (event.data.provider === 'microsoft') {
        return {
          microsoftRevokedAtProvider:
            event.data.reason === 'revoked_at_provider' ? true : (r.microsoftRevokedAtProvider ?? false),
        };
      }
      // A tenant withdrawing its own consent is a choice, not trouble; Google revoking it is.
      return { gmailRevokedAtGoogle: event.data.reason === 'revoked_at_google' ? true : r.gmailRevokedAtGoogle };
    case 'SmtpConfigured':
      return { smtpAddress: event.data.address, smtpTestFailed: false };
    case 'SmtpConnectionTested':
      return { smtpTestFailed: !event.data.ok };
    case 'DeliveryFailing':
      return { sendFailingMode: event.data.mode };
    case 'DeliveryRecovered':
      return { sendFailingMode: null };
    case 'DisplayNameChanged':
      // Not on the dashboard: a display name needs no attention.
      return {};
    case 'MailConfigErased':
      return { status: 'erased' };
    case 'TestMessageSent':
    case 'SettingsLinkIssued':
    case 'GoogleRevocationConfirmed':
      return {};
    default: {
      const never: never = event;
      throw new Error(`Unhandled event ${(never as { type: string }).type}`);
    }
  }
}

/** The next dashboard record of a tenant after one of its events. Pure: no clock, no I/O. */
export function evolveTenantRecord(
  current: TenantRecord | null,
  tenantId: string,
  event: MailConfigEvent,
  facts: EventFacts,
): TenantRecord {
  const base = current ?? blank(tenantId, facts);
  const next: TenantRecord = { ...base, ...changeFlags(base, event) };
  // Records projected before the panel existed get what can be learnt from here on.
  const details = base.details ?? emptyDetails();
  next.details = { ...details, ...detailsChange(details, event, facts) };
  next.accounts = accountsAfter(
    base.accounts ?? [base.gmailAccount, base.microsoftAccount ?? null].flatMap((a) => (a ? [a.toLowerCase()] : [])),
    event,
  );
  const erased = next.status === 'erased';
  const attention = erased ? null : attentionOf(next);
  // Only an SMTP mode in use is an alarm: a default-mode tenant's failed draft is shown, not counted.
  const smtpInUse = next.mode === 'smtp';
  const withAttention = { ...next, attention };
  return {
    ...next,
    sender: senderOf(next),
    attention,
    reason: erased ? null : reasonOf(withAttention),
    status: erased ? 'erased' : attention ? 'needs_attention' : 'ok',
    smtpFailing: !erased && smtpInUse && (next.smtpTestFailed || next.sendFailingMode === 'smtp'),
    lastChangeAt: facts.at,
    lastChangeBy: facts.actor,
    version: facts.version,
  };
}

const MODE_NAMES: Record<string, string> = {
  default: 'the default address',
  gmail: 'Gmail',
  microsoft: 'Microsoft 365',
  smtp: 'SMTP',
};

const DETECTED: Record<RevocationDetection, string> = {
  tenant: 'by the tenant here',
  sending: 'detected while sending',
  consent_check: 'detected by the consent check',
};

/** "revoked at Google, detected while sending" (no provider name: the caller says whose). */
export function revocationInWords(grant: Pick<GrantDetails, 'revokedReason' | 'detectedBy'>, provider: string): string {
  if (grant.revokedReason === 'tenant_request' || grant.detectedBy === 'tenant') return 'revoked by the tenant here';
  return `revoked at ${provider}${grant.detectedBy ? `, ${DETECTED[grant.detectedBy]}` : ''}`;
}

/** Why the tenant needs attention, in words, from what the record knows (null when it does not). */
export function reasonOf(r: TenantRecord): string | null {
  const d = r.details;
  switch (r.attention) {
    case null:
      return null;
    case 'send_failing': {
      const f = d?.lastDeliveryFailure;
      const mode = MODE_NAMES[r.sendFailingMode ?? r.mode] ?? r.mode;
      return f ? `Sending through ${mode} failing at ${f.stage}: ${f.message}` : `Sending through ${mode} failing`;
    }
    case 'gmail_revoked': {
      const g = d?.gmail;
      const how = g ? revocationInWords(g, 'Google') : 'revoked at Google';
      return `Gmail consent ${how}${g?.account ? ` (${g.account})` : ''}`;
    }
    case 'microsoft_revoked': {
      const m = d?.microsoft;
      const how = m ? revocationInWords(m, 'Microsoft') : 'revoked at Microsoft';
      return `Microsoft 365 consent ${how}${m?.account ? ` (${m.account})` : ''}`;
    }
    case 'smtp_test_failed': {
      const t = d?.lastTest;
      const what = r.mode === 'smtp' ? 'SMTP test failed' : 'SMTP draft (not in use) failed its test';
      return t ? `${what} at ${t.stage}: ${t.message}` : what;
    }
    default: {
      const never: never = r.attention;
      return never;
    }
  }
}
