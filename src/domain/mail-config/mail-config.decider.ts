import { type MailConfigCommand } from './mail-config.commands';
import { MailConfigError, tenantErased } from './mail-config.errors';
import { type MailConfigEvent, type ModeChanged, type SmtpConnectionTested } from './mail-config.events';
import {
  type GmailState,
  initialState,
  type MailConfigState,
  type MicrosoftState,
  requireActive,
} from './mail-config.state';
import {
  defaultAddressFor,
  displayNameProblem,
  GMAIL_SEND_SCOPE,
  grantsMicrosoftSend,
  type Mode,
  PASSWORD_FOR_ANOTHER_SERVER,
  type PassedSmtpTest,
  passedRecently,
  savedPasswordServes,
  type SmtpActivationEvidence,
  SMTP_TEST_FRESH_MS,
} from './mail-config.types';

export { initialState };

/** The display name as it will be recorded (trimmed), or the domain's refusal naming the field. */
function displayNameOf(value: string | null, field: string): string | null {
  if (value === null) return null;
  const problem = displayNameProblem(field, value);
  if (problem) throw new MailConfigError('INVALID_DISPLAY_NAME', problem, field);
  return value.trim();
}

function switchTo(
  state: MailConfigState,
  to: Mode,
  reason: ModeChanged['data']['reason'],
  forced = false,
): ModeChanged[] {
  if (state.mode === to) return [];
  return [
    { type: 'ModeChanged', data: { from: state.mode, to, reason, ...(forced ? { forced: true as const } : {}) } },
  ];
}

const notTested = () =>
  new MailConfigError(
    'SMTP_NOT_TESTED',
    `This SMTP configuration has not passed a test in the last ${SMTP_TEST_FRESH_MS / 60_000} minutes; ` +
      'run the test, or send "force": true to activate it anyway',
  );

/**
 * The activation rule: SMTP goes live only on a configuration that passed a Test, the one in the
 * command or a recent one of exactly the same settings. Returns the Test's event to record.
 */
function requirePassingTest(
  lastPass: PassedSmtpTest | null,
  evidence: SmtpActivationEvidence | undefined,
  at: string | undefined,
): SmtpConnectionTested[] {
  if (!evidence) throw notTested();
  const { fingerprint, test } = evidence;
  if (test) {
    if (!test.ok) throw notTested();
    const { at: testedAt, ...result } = test;
    return [{ type: 'SmtpConnectionTested', data: { ...result, testedAt, fingerprint } }];
  }
  if (at && passedRecently(lastPass, fingerprint, at)) return [];
  throw notTested();
}

export function decide(command: MailConfigCommand, state: MailConfigState): MailConfigEvent[] {
  switch (command.type) {
    case 'ProvisionMailConfig': {
      if (state.status === 'erased') throw tenantErased();
      const { tenantId, username, senderDomain } = command.data;
      const displayName = displayNameOf(command.data.displayName ?? null, 'displayName');
      if (state.status === 'active') {
        // Provisioning again is a retry: a display name is changed with ChangeDisplayName only.
        if (state.username === username) return [];
        throw new MailConfigError(
          'USERNAME_CONFLICT',
          `This tenant is already provisioned with another username`,
          'username',
        );
      }
      return [
        {
          type: 'MailConfigProvisioned',
          data: { tenantId, username, defaultAddress: defaultAddressFor(username, senderDomain) },
        },
        ...(displayName === null ? [] : [{ type: 'DisplayNameChanged' as const, data: { displayName } }]),
      ];
    }
    case 'ChangeDisplayName': {
      requireActive(state);
      const displayName = displayNameOf(command.data.displayName, 'displayName');
      return displayName === state.displayName ? [] : [{ type: 'DisplayNameChanged', data: { displayName } }];
    }
    case 'ChangeMode': {
      requireActive(state);
      const { mode } = command.data;
      if (mode === 'gmail' && state.gmail.status !== 'authorized') {
        throw new MailConfigError(
          'GMAIL_NOT_AUTHORIZED',
          'You need to first authorize access to a Gmail account before this mode can be used',
          'mode',
        );
      }
      if (mode === 'microsoft' && state.microsoft.status !== 'authorized') {
        throw new MailConfigError(
          'MICROSOFT_NOT_AUTHORIZED',
          'You need to first authorize access to a Microsoft 365 account before this mode can be used',
          'mode',
        );
      }
      if (mode === 'smtp' && state.smtp === null) {
        throw new MailConfigError(
          'SMTP_NOT_CONFIGURED',
          'You need to first configure an SMTP server before this mode can be used',
          'mode',
        );
      }
      if (mode !== 'smtp' || state.mode === 'smtp') return switchTo(state, mode, 'requested');
      const { force, smtp: evidence, at } = command.data;
      if (force) return switchTo(state, mode, 'requested', true);
      // Evidence about a configuration that was replaced meanwhile vouches for nothing.
      const current = evidence && evidence.configuredAt === state.smtp!.configuredAt ? evidence : undefined;
      return [...requirePassingTest(state.smtp!.lastPass, current, at), ...switchTo(state, mode, 'requested')];
    }
    case 'ConfigureSmtp': {
      requireActive(state);
      const { password, activate, at, force, evidence, ...settings } = command.data;
      const reusable = state.smtp && savedPasswordServes(state.smtp, settings) ? state.smtp.password : null;
      const kept = password ?? reusable;
      if (kept === null) {
        throw new MailConfigError(
          'SMTP_PASSWORD_REQUIRED',
          state.smtp ? PASSWORD_FOR_ANOTHER_SERVER : 'password is required the first time SMTP is configured',
          'password',
        );
      }
      const configured: MailConfigEvent = {
        type: 'SmtpConfigured',
        data: { ...settings, password: kept, passwordChanged: password !== null, configuredAt: at },
      };
      if (!activate) return [configured];
      // activate makes these settings the live ones, even when the mode is smtp already.
      const tested = force ? [] : requirePassingTest(state.smtp?.lastPass ?? null, evidence, at);
      return [configured, ...tested, ...switchTo(state, 'smtp', 'smtp_activated', !!force)];
    }
    case 'RecordSmtpTest': {
      requireActive(state);
      if (state.smtp === null) {
        throw new MailConfigError('SMTP_NOT_CONFIGURED', 'There is no saved SMTP configuration to test');
      }
      const { at, fingerprint, ...result } = command.data;
      return [
        { type: 'SmtpConnectionTested', data: { ...result, testedAt: at, ...(fingerprint ? { fingerprint } : {}) } },
      ];
    }
    case 'AuthorizeGmail': {
      requireActive(state);
      const { account, scopes, refreshToken, at } = command.data;
      if (!scopes.includes(GMAIL_SEND_SCOPE)) {
        throw new MailConfigError('GMAIL_SCOPE_MISSING', 'The grant does not include permission to send mail');
      }
      return [
        { type: 'GmailAuthorized', data: { account, scopes, refreshToken, authorizedAt: at } },
        ...switchTo(state, 'gmail', 'gmail_authorized'),
      ];
    }
    case 'RevokeGmailConsent': {
      requireActive(state);
      // Revoking what is not authorized changes nothing: this is what makes ten concurrent
      // detections of the same revoked grant record exactly one ConsentRevoked.
      if (state.gmail.status !== 'authorized') return [];
      const { reason, at, googleRevocation, grantAuthorizedAt } = command.data;
      if (grantAuthorizedAt && grantAuthorizedAt !== state.gmail.authorizedAt) return [];
      return [
        {
          type: 'ConsentRevoked',
          data: { provider: 'gmail', reason, account: state.gmail.account, revokedAt: at, googleRevocation },
        },
        ...(state.mode === 'gmail' ? switchTo(state, 'default', 'consent_revoked') : []),
      ];
    }
    case 'ConfirmGoogleRevocation': {
      requireActive(state);
      // Only the outcome still on record as failed: once the tenant authorized again (any account),
      // or a confirmation is already recorded, the history has nothing left to correct.
      const { gmail } = state;
      const { account, at, attempts } = command.data;
      if (gmail.status !== 'revoked' || gmail.googleRevocation?.ok !== false || gmail.account !== account) return [];
      return [{ type: 'GoogleRevocationConfirmed', data: { account, confirmedAt: at, attempts } }];
    }
    case 'AuthorizeMicrosoft': {
      requireActive(state);
      const { account, scopes, refreshToken, at } = command.data;
      if (!grantsMicrosoftSend(scopes)) {
        throw new MailConfigError('MICROSOFT_SCOPE_MISSING', 'The grant does not include permission to send mail');
      }
      return [
        { type: 'MicrosoftAuthorized', data: { account, scopes, refreshToken, authorizedAt: at } },
        ...switchTo(state, 'microsoft', 'microsoft_authorized'),
      ];
    }
    case 'RevokeMicrosoftConsent': {
      requireActive(state);
      // As for Gmail: ten concurrent detections of one revoked grant record one ConsentRevoked.
      if (state.microsoft.status !== 'authorized') return [];
      const { reason, at, grantAuthorizedAt } = command.data;
      if (grantAuthorizedAt && grantAuthorizedAt !== state.microsoft.authorizedAt) return [];
      return [
        {
          type: 'ConsentRevoked',
          data: {
            provider: 'microsoft',
            reason,
            account: state.microsoft.account,
            revokedAt: at,
            googleRevocation: null,
          },
        },
        ...(state.mode === 'microsoft' ? switchTo(state, 'default', 'consent_revoked') : []),
      ];
    }
    case 'RecordDeliveryFailure': {
      requireActive(state);
      const { mode, stage, message, consecutiveFailures, at } = command.data;
      if (state.delivery.failing && state.delivery.mode === mode) return [];
      return [{ type: 'DeliveryFailing', data: { mode, stage, message, consecutiveFailures, since: at } }];
    }
    case 'RecordDeliverySuccess': {
      requireActive(state);
      if (!state.delivery.failing) return [];
      return [{ type: 'DeliveryRecovered', data: { mode: command.data.mode, recoveredAt: command.data.at } }];
    }
    case 'RecordTestMessage': {
      requireActive(state);
      const { at, ...outcome } = command.data;
      return [{ type: 'TestMessageSent', data: { ...outcome, sentAt: at } }];
    }
    case 'RecordSettingsLink': {
      requireActive(state);
      return [{ type: 'SettingsLinkIssued', data: { expiresAt: command.data.expiresAt, issuedAt: command.data.at } }];
    }
    case 'EraseMailConfig': {
      requireActive(state);
      return [{ type: 'MailConfigErased', data: { erasedAt: command.data.at } }];
    }
    default: {
      const never: never = command;
      throw new Error(`Unknown command ${(never as { type: string }).type}`);
    }
  }
}

/** Erasure ends a live grant as the tenant's own withdrawal would: its token can never be opened again. */
function endGrant<G extends GmailState | MicrosoftState>(grant: G, at: string): G {
  if (grant.status !== 'authorized') return grant;
  return { ...grant, status: 'revoked', revokedAt: at, revokedReason: 'tenant_request' };
}

export function evolve(state: MailConfigState, event: MailConfigEvent): MailConfigState {
  switch (event.type) {
    case 'MailConfigProvisioned':
      return { ...state, status: 'active', ...event.data };
    case 'ModeChanged':
      return { ...state, mode: event.data.to };
    case 'GmailAuthorized':
      return {
        ...state,
        gmail: {
          status: 'authorized',
          account: event.data.account,
          scopes: event.data.scopes,
          refreshToken: event.data.refreshToken,
          authorizedAt: event.data.authorizedAt,
          revokedAt: null,
          revokedReason: null,
          googleRevocation: null,
        },
      };
    case 'MicrosoftAuthorized':
      return {
        ...state,
        microsoft: {
          status: 'authorized',
          account: event.data.account,
          scopes: event.data.scopes,
          refreshToken: event.data.refreshToken,
          authorizedAt: event.data.authorizedAt,
          revokedAt: null,
          revokedReason: null,
        },
      };
    case 'ConsentRevoked':
      if (event.data.provider === 'microsoft') {
        return {
          ...state,
          microsoft: {
            ...state.microsoft,
            status: 'revoked',
            refreshToken: null,
            revokedAt: event.data.revokedAt,
            revokedReason: event.data.reason,
          },
        };
      }
      return {
        ...state,
        gmail: {
          ...state.gmail,
          status: 'revoked',
          refreshToken: null,
          revokedAt: event.data.revokedAt,
          revokedReason: event.data.reason,
          googleRevocation: event.data.googleRevocation,
        },
      };
    case 'SmtpConfigured': {
      const { passwordChanged: _changed, ...smtp } = event.data;
      return { ...state, smtp: { ...smtp, lastTest: null, lastPass: state.smtp?.lastPass ?? null } };
    }
    case 'SmtpConnectionTested': {
      if (state.smtp === null) return state;
      const { ok, stage, message, testedAt, fingerprint } = event.data;
      const lastPass = ok && fingerprint ? { fingerprint, at: testedAt } : state.smtp.lastPass;
      return { ...state, smtp: { ...state.smtp, lastTest: { ok, stage, message, at: testedAt }, lastPass } };
    }
    case 'DeliveryFailing':
      return {
        ...state,
        delivery: {
          failing: true,
          mode: event.data.mode,
          stage: event.data.stage,
          message: event.data.message,
          since: event.data.since,
        },
      };
    case 'DeliveryRecovered':
      return { ...state, delivery: initialState().delivery };
    case 'GoogleRevocationConfirmed':
      return { ...state, gmail: { ...state.gmail, googleRevocation: { ok: true, message: null } } };
    case 'DisplayNameChanged':
      return { ...state, displayName: event.data.displayName };
    case 'TestMessageSent':
    case 'SettingsLinkIssued':
      // Records of what support did: they change nothing the decider rules on.
      return state;
    case 'MailConfigErased':
      return {
        ...state,
        status: 'erased',
        erasedAt: event.data.erasedAt,
        gmail: { ...endGrant(state.gmail, event.data.erasedAt), refreshToken: null },
        microsoft: { ...endGrant(state.microsoft, event.data.erasedAt), refreshToken: null },
      };
    default: {
      const never: never = event;
      throw new Error(`Unknown event ${(never as { type: string }).type}`);
    }
  }
}

export function fold(events: readonly MailConfigEvent[], state: MailConfigState = initialState()): MailConfigState {
  return events.reduce(evolve, state);
}

/** The aggregate's rules as one value, so generic tooling (specifications, replays) can take any decider. */
export const mailConfigDecider = { decide, evolve, initialState } as const;
