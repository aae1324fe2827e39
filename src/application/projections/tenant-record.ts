import { type MailConfigEvent } from '../../domain/mail-config/mail-config.events';
import { senderFor } from '../../domain/mail-config/mail-config.state';
import { normaliseUsername } from '../mail-config/provisioned-usernames';
import { type Attention, type TenantRecord } from '../ports/read-model.port';

export interface EventFacts {
  version: number;
  at: string;
  actor: string;
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
    version: 0,
  };
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
    case 'MailConfigErased':
      return { status: 'erased' };
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
  const erased = next.status === 'erased';
  const attention = erased ? null : attentionOf(next);
  return {
    ...next,
    sender: senderOf(next),
    attention,
    status: erased ? 'erased' : attention ? 'needs_attention' : 'ok',
    smtpFailing: !erased && (next.smtpTestFailed || (next.sendFailingMode === 'smtp' && next.mode === 'smtp')),
    lastChangeAt: facts.at,
    lastChangeBy: facts.actor,
    version: facts.version,
  };
}
