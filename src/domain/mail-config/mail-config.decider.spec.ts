import { DeciderSpecification } from '../../../test/support/decider-specification';
import { fold, mailConfigDecider } from './mail-config.decider';
import { type MailConfigErrorCode } from './mail-config.errors';
import { type MailConfigEvent } from './mail-config.events';
import { senderOf } from './mail-config.state';
import { GMAIL_SEND_SCOPE } from './mail-config.types';

const { given } = DeciderSpecification.for(mailConfigDecider);
/** The domain error a refused command throws: its code and, when it is about one, the request field. */
const refused = (code: MailConfigErrorCode, field?: string) => ({
  name: 'MailConfigError',
  code,
  ...(field ? { field } : {}),
});

const AT = '2026-11-26T10:00:00.000Z';
const passing = { ok: true, stage: 'done' as const, message: 'ok', durationMs: 5 };
const failing = { ok: false, stage: 'auth' as const, message: 'Authentication failed', durationMs: 5 };
const sealed = (n: string) => ({ keyId: 'dek:k1', ciphertext: `ct-${n}` });

const provisioned: MailConfigEvent = {
  type: 'MailConfigProvisioned',
  data: { tenantId: 't-1', username: 'acme', defaultAddress: 'support.acme@smemetrics-email.com' },
};
const smtpSettings = {
  address: 'help@acme.example',
  host: 'smtp.acme.example',
  port: 587,
  security: 'starttls' as const,
  username: 'help@acme.example',
};
const smtpConfigured: MailConfigEvent = {
  type: 'SmtpConfigured',
  data: { ...smtpSettings, password: sealed('1'), passwordChanged: true, configuredAt: AT },
};
const gmailAuthorized: MailConfigEvent = {
  type: 'GmailAuthorized',
  data: {
    account: 'owner@gmail.com',
    scopes: ['openid', 'email', GMAIL_SEND_SCOPE],
    refreshToken: sealed('rt'),
    authorizedAt: AT,
  },
};
const toGmail: MailConfigEvent = {
  type: 'ModeChanged',
  data: { from: 'default', to: 'gmail', reason: 'gmail_authorized' },
};
const erased: MailConfigEvent = { type: 'MailConfigErased', data: { erasedAt: AT } };

describe('mail configuration decider', () => {
  describe('support actions: RecordTestMessage and RecordSettingsLink', () => {
    const outcome = {
      to: 'agent@help.example',
      ok: false,
      mode: 'smtp' as const,
      from: null,
      messageId: null,
      stage: 'auth',
      message: '535 authentication failed',
    };
    const testMessage = { type: 'RecordTestMessage', data: { ...outcome, at: AT } } as const;
    const link = { type: 'RecordSettingsLink', data: { expiresAt: AT, at: AT } } as const;
    it('records the test message and its outcome', () =>
      given([provisioned, smtpConfigured])
        .when(testMessage)
        .then([{ type: 'TestMessageSent', data: { ...outcome, sentAt: AT } }]));
    it('records a settings link without the link', () =>
      given([provisioned])
        .when(link)
        .then([{ type: 'SettingsLinkIssued', data: { expiresAt: AT, issuedAt: AT } }]));
    it('refuses both for a tenant that is not active', () => {
      given([]).when(testMessage).then(refused('NOT_PROVISIONED'));
      given([provisioned, erased]).when(link).then(refused('TENANT_ERASED'));
    });
    it('changes nothing the decider rules on', () => {
      const before = fold([provisioned, smtpConfigured]);
      const after = fold([{ type: 'TestMessageSent', data: { ...outcome, sentAt: AT } }], before);
      expect(after).toEqual(before);
    });
  });

  describe('ProvisionMailConfig', () => {
    const cmd = (username = 'acme') =>
      ({
        type: 'ProvisionMailConfig',
        data: { tenantId: 't-1', username, senderDomain: 'smemetrics-email.com' },
      }) as const;
    it('provisions with the default support address', () => given([]).when(cmd()).then([provisioned]));
    it('is a no-op for the same username', () => given([provisioned]).when(cmd()).then([]));
    it('refuses another username', () =>
      given([provisioned]).when(cmd('other')).then(refused('USERNAME_CONFLICT', 'username')));
    it('refuses an erased tenant', () => given([provisioned, erased]).when(cmd()).then(refused('TENANT_ERASED')));
  });

  describe('ChangeMode', () => {
    const to = (mode: 'default' | 'gmail' | 'smtp') => ({ type: 'ChangeMode', data: { mode } }) as const;
    it('refuses an unprovisioned tenant', () => given([]).when(to('default')).then(refused('NOT_PROVISIONED')));
    it('emits nothing for the current mode', () => given([provisioned]).when(to('default')).then([]));
    it('refuses gmail without an authorization', () =>
      given([provisioned]).when(to('gmail')).then(refused('GMAIL_NOT_AUTHORIZED', 'mode')));
    it('refuses gmail after consent was revoked', () =>
      given([
        provisioned,
        gmailAuthorized,
        {
          type: 'ConsentRevoked',
          data: {
            provider: 'gmail',
            reason: 'revoked_at_google',
            account: 'owner@gmail.com',
            revokedAt: AT,
            googleRevocation: null,
          },
        },
      ])
        .when(to('gmail'))
        .then(refused('GMAIL_NOT_AUTHORIZED')));
    it('refuses smtp before it is configured', () =>
      given([provisioned]).when(to('smtp')).then(refused('SMTP_NOT_CONFIGURED', 'mode')));
    const toSmtp = (over: Record<string, unknown>) =>
      ({ type: 'ChangeMode', data: { mode: 'smtp', at: AT, ...over } }) as const;
    const passedAt = (at: string, fingerprint = 'fp-1'): MailConfigEvent => ({
      type: 'SmtpConnectionTested',
      data: { ok: true, stage: 'done', message: 'ok', durationMs: 5, testedAt: at, fingerprint },
    });
    it('refuses to switch to smtp on a configuration that has not passed a test', () =>
      given([provisioned, smtpConfigured]).when(to('smtp')).then(refused('SMTP_NOT_TESTED')));
    it('switches to smtp with the passing test it ran, recorded with its fingerprint', () =>
      given([provisioned, smtpConfigured])
        .when(toSmtp({ smtp: { configuredAt: AT, fingerprint: 'fp-1', test: { ...passing, at: AT } } }))
        .then([passedAt(AT), { type: 'ModeChanged', data: { from: 'default', to: 'smtp', reason: 'requested' } }]));
    it('refuses a failing test', () =>
      given([provisioned, smtpConfigured])
        .when(toSmtp({ smtp: { configuredAt: AT, fingerprint: 'fp-1', test: { ...failing, at: AT } } }))
        .then(refused('SMTP_NOT_TESTED')));
    it('switches on a recent pass of exactly these settings, and only then', () => {
      const recent = toSmtp({ smtp: { configuredAt: AT, fingerprint: 'fp-1', test: null } });
      given([provisioned, smtpConfigured, passedAt(AT)])
        .when(recent)
        .then([{ type: 'ModeChanged', data: { from: 'default', to: 'smtp', reason: 'requested' } }]);
      given([provisioned, smtpConfigured, passedAt(AT, 'fp-other')])
        .when(recent)
        .then(refused('SMTP_NOT_TESTED'));
      given([provisioned, smtpConfigured, passedAt('2026-11-26T09:49:00.000Z')])
        .when(recent)
        .then(refused('SMTP_NOT_TESTED'));
    });
    it('refuses evidence about a configuration that was replaced since', () =>
      given([provisioned, smtpConfigured])
        .when(
          toSmtp({
            smtp: { configuredAt: '2026-11-26T09:00:00.000Z', fingerprint: 'fp-1', test: { ...passing, at: AT } },
          }),
        )
        .then(refused('SMTP_NOT_TESTED')));
    it('switches without a test when forced, and says so', () =>
      given([provisioned, smtpConfigured])
        .when(toSmtp({ force: true }))
        .then([{ type: 'ModeChanged', data: { from: 'default', to: 'smtp', reason: 'requested', forced: true } }]));
    it('switches back to default', () =>
      given([provisioned, gmailAuthorized, toGmail])
        .when(to('default'))
        .then([{ type: 'ModeChanged', data: { from: 'gmail', to: 'default', reason: 'requested' } }]));
    it('refuses an erased tenant', () =>
      given([provisioned, erased]).when(to('default')).then(refused('TENANT_ERASED')));
  });

  describe('ConfigureSmtp', () => {
    const configure = (password: ReturnType<typeof sealed> | null, activate = false) =>
      ({ type: 'ConfigureSmtp', data: { ...smtpSettings, password, activate, at: AT } }) as const;
    it('requires a password the first time', () =>
      given([provisioned]).when(configure(null)).then(refused('SMTP_PASSWORD_REQUIRED', 'password')));
    it('records the sealed password', () =>
      given([provisioned])
        .when(configure(sealed('1')))
        .then([smtpConfigured]));
    it('keeps the stored password when none is given', () =>
      given([provisioned, smtpConfigured])
        .when(configure(null))
        .then([
          {
            type: 'SmtpConfigured',
            data: { ...smtpSettings, password: sealed('1'), passwordChanged: false, configuredAt: AT },
          },
        ]));
    it.each([
      ['host', { host: 'collector.evil.example' }],
      ['port', { port: 2525 }],
      ['username', { username: 'someone-else' }],
    ])('refuses to keep the stored password for another %s', (_what, other) =>
      given([provisioned, smtpConfigured])
        .when({ type: 'ConfigureSmtp', data: { ...smtpSettings, ...other, password: null, activate: false, at: AT } })
        .then(refused('SMTP_PASSWORD_REQUIRED', 'password')),
    );
    it('keeps the stored password when only the address or security change', () =>
      given([provisioned, smtpConfigured])
        .when({
          type: 'ConfigureSmtp',
          data: { ...smtpSettings, address: 'desk@acme.example', password: null, activate: false, at: AT },
        })
        .then([
          {
            type: 'SmtpConfigured',
            data: {
              ...smtpSettings,
              address: 'desk@acme.example',
              password: sealed('1'),
              passwordChanged: false,
              configuredAt: AT,
            },
          },
        ]));
    const tested: MailConfigEvent = {
      type: 'SmtpConnectionTested',
      data: { ok: true, stage: 'done', message: 'ok', durationMs: 5, testedAt: AT, fingerprint: 'fp-1' },
    };
    const activating = (over: Record<string, unknown>) =>
      ({ type: 'ConfigureSmtp', data: { ...configure(sealed('1'), true).data, ...over } }) as const;
    it('activates smtp in the same decision once the test passed, recording the test', () =>
      given([provisioned])
        .when(activating({ evidence: { fingerprint: 'fp-1', test: { ...passing, at: AT } } }))
        .then([
          smtpConfigured,
          tested,
          { type: 'ModeChanged', data: { from: 'default', to: 'smtp', reason: 'smtp_activated' } },
        ]));
    it('refuses to activate untested or failing settings', () => {
      given([provisioned])
        .when(configure(sealed('1'), true))
        .then(refused('SMTP_NOT_TESTED'));
      given([provisioned])
        .when(activating({ evidence: { fingerprint: 'fp-1', test: { ...failing, at: AT } } }))
        .then(refused('SMTP_NOT_TESTED'));
    });
    it('activates when forced, and says so', () =>
      given([provisioned])
        .when(activating({ force: true }))
        .then([
          smtpConfigured,
          { type: 'ModeChanged', data: { from: 'default', to: 'smtp', reason: 'smtp_activated', forced: true } },
        ]));
    it('a pass survives saving the same settings again', () =>
      given([provisioned, smtpConfigured, tested])
        .when(activating({ evidence: { fingerprint: 'fp-1', test: null } }))
        .then([
          smtpConfigured,
          { type: 'ModeChanged', data: { from: 'default', to: 'smtp', reason: 'smtp_activated' } },
        ]));
    it('does not switch again when smtp is already active, but still tests the new settings', () =>
      given([
        provisioned,
        smtpConfigured,
        { type: 'ModeChanged', data: { from: 'default', to: 'smtp', reason: 'requested', forced: true } },
      ])
        .when(activating({ password: sealed('2'), evidence: { fingerprint: 'fp-1', test: { ...passing, at: AT } } }))
        .then([
          {
            type: 'SmtpConfigured',
            data: { ...smtpSettings, password: sealed('2'), passwordChanged: true, configuredAt: AT },
          },
          tested,
        ]));
    it('refuses an unprovisioned tenant', () =>
      given([])
        .when(configure(sealed('1')))
        .then(refused('NOT_PROVISIONED')));
  });

  describe('RecordSmtpTest', () => {
    const tested = (ok: boolean) =>
      ({
        type: 'RecordSmtpTest',
        data: { ok, stage: ok ? 'done' : 'auth', message: 'm', durationMs: 12, at: AT },
      }) as const;
    it('records the outcome of testing the saved configuration', () =>
      given([provisioned, smtpConfigured])
        .when(tested(false))
        .then([
          {
            type: 'SmtpConnectionTested',
            data: { ok: false, stage: 'auth', message: 'm', durationMs: 12, testedAt: AT },
          },
        ]));
    it('refuses when nothing is saved', () =>
      given([provisioned]).when(tested(true)).then(refused('SMTP_NOT_CONFIGURED')));
    it('shows the last test in the state, cleared by a new configuration', () => {
      const s = fold([
        provisioned,
        smtpConfigured,
        { type: 'SmtpConnectionTested', data: { ok: true, stage: 'done', message: 'ok', durationMs: 5, testedAt: AT } },
      ]);
      expect(s.smtp?.lastTest).toEqual({ ok: true, stage: 'done', message: 'ok', at: AT });
      expect(fold([smtpConfigured], s).smtp?.lastTest).toBeNull();
    });
  });

  describe('AuthorizeGmail', () => {
    const authorize = (scopes: string[]) =>
      ({
        type: 'AuthorizeGmail',
        data: { account: 'owner@gmail.com', scopes, refreshToken: sealed('rt'), at: AT },
      }) as const;
    it('authorizes and switches to gmail in one decision', () =>
      given([provisioned])
        .when(authorize(['openid', 'email', GMAIL_SEND_SCOPE]))
        .then([gmailAuthorized, toGmail]));
    it('refuses a grant without gmail.send', () =>
      given([provisioned])
        .when(authorize(['openid', 'email']))
        .then(refused('GMAIL_SCOPE_MISSING')));
    it('replaces an existing grant without switching again', () =>
      given([provisioned, gmailAuthorized, toGmail])
        .when(authorize(['openid', 'email', GMAIL_SEND_SCOPE]))
        .then([gmailAuthorized]));
    it('refuses an unprovisioned tenant', () =>
      given([])
        .when(authorize([GMAIL_SEND_SCOPE]))
        .then(refused('NOT_PROVISIONED')));
  });

  describe('ConfirmGoogleRevocation', () => {
    const withdrawn = (ok: boolean): MailConfigEvent => ({
      type: 'ConsentRevoked',
      data: {
        provider: 'gmail',
        reason: 'tenant_request',
        account: 'owner@gmail.com',
        revokedAt: AT,
        googleRevocation: { ok, message: ok ? null : 'Google answered 503 to the revocation' },
      },
    });
    const confirm = (account: string | null = 'owner@gmail.com') =>
      ({ type: 'ConfirmGoogleRevocation', data: { account, at: AT, attempts: 3 } }) as const;
    const confirmed: MailConfigEvent = {
      type: 'GoogleRevocationConfirmed',
      data: { account: 'owner@gmail.com', confirmedAt: AT, attempts: 3 },
    };
    it('records that Google revoked on a retry what it had refused at first', () =>
      given([provisioned, gmailAuthorized, withdrawn(false)])
        .when(confirm())
        .then([confirmed]));
    it('makes the outcome on record a success', () =>
      expect(fold([provisioned, gmailAuthorized, withdrawn(false), confirmed]).gmail).toMatchObject({
        status: 'revoked',
        googleRevocation: { ok: true, message: null },
      }));
    it('records it once', () =>
      given([provisioned, gmailAuthorized, withdrawn(false), confirmed])
        .when(confirm())
        .then([]));
    it('records nothing when Google had revoked at once', () =>
      given([provisioned, gmailAuthorized, withdrawn(true)])
        .when(confirm())
        .then([]));
    it('records nothing about another account’s grant', () =>
      given([provisioned, gmailAuthorized, withdrawn(false)])
        .when(confirm('other@gmail.com'))
        .then([]));
    it('records nothing once the tenant authorized again', () =>
      given([provisioned, gmailAuthorized, withdrawn(false), gmailAuthorized])
        .when(confirm())
        .then([]));
    it('refuses an erased tenant', () =>
      given([provisioned, gmailAuthorized, withdrawn(false), erased])
        .when(confirm())
        .then(refused('TENANT_ERASED')));
  });

  describe('RevokeGmailConsent', () => {
    const revoke = (
      reason: 'tenant_request' | 'revoked_at_google',
      googleRevocation: { ok: boolean; message: string | null } | null = null,
    ) => ({ type: 'RevokeGmailConsent', data: { reason, at: AT, googleRevocation } }) as const;
    it('records the revocation and falls back to default when gmail was active', () =>
      given([provisioned, gmailAuthorized, toGmail])
        .when(revoke('revoked_at_google'))
        .then([
          {
            type: 'ConsentRevoked',
            data: {
              provider: 'gmail',
              reason: 'revoked_at_google',
              account: 'owner@gmail.com',
              revokedAt: AT,
              googleRevocation: null,
            },
          },
          { type: 'ModeChanged', data: { from: 'gmail', to: 'default', reason: 'consent_revoked' } },
        ]));
    it('keeps another active mode', () =>
      given([
        provisioned,
        smtpConfigured,
        gmailAuthorized,
        { type: 'ModeChanged', data: { from: 'gmail', to: 'smtp', reason: 'requested' } },
      ])
        .when(revoke('tenant_request', { ok: false, message: 'Google did not answer' }))
        .then([
          {
            type: 'ConsentRevoked',
            data: {
              provider: 'gmail',
              reason: 'tenant_request',
              account: 'owner@gmail.com',
              revokedAt: AT,
              googleRevocation: { ok: false, message: 'Google did not answer' },
            },
          },
        ]));
    it('records nothing when consent is already gone (one record for many detections)', () =>
      given([
        provisioned,
        gmailAuthorized,
        toGmail,
        {
          type: 'ConsentRevoked',
          data: {
            provider: 'gmail',
            reason: 'revoked_at_google',
            account: 'owner@gmail.com',
            revokedAt: AT,
            googleRevocation: null,
          },
        },
      ])
        .when(revoke('revoked_at_google'))
        .then([]));
    it('records nothing when the revoked grant was already replaced by a new authorization', () =>
      given([
        provisioned,
        gmailAuthorized,
        toGmail,
        { type: 'GmailAuthorized', data: { ...gmailAuthorized.data, authorizedAt: '2026-11-26T11:00:00.000Z' } },
      ])
        .when({
          type: 'RevokeGmailConsent',
          data: { reason: 'revoked_at_google', at: AT, googleRevocation: null, grantAuthorizedAt: AT },
        })
        .then([]));
    it('revokes when the revoked grant is the current one', () =>
      given([provisioned, gmailAuthorized])
        .when({
          type: 'RevokeGmailConsent',
          data: { reason: 'revoked_at_google', at: AT, googleRevocation: null, grantAuthorizedAt: AT },
        })
        .then([
          {
            type: 'ConsentRevoked',
            data: {
              provider: 'gmail',
              reason: 'revoked_at_google',
              account: 'owner@gmail.com',
              revokedAt: AT,
              googleRevocation: null,
            },
          },
        ]));
    it('records nothing when never authorized', () => given([provisioned]).when(revoke('tenant_request')).then([]));
    it('forgets the refresh token', () => {
      const s = fold([
        provisioned,
        gmailAuthorized,
        {
          type: 'ConsentRevoked',
          data: {
            provider: 'gmail',
            reason: 'tenant_request',
            account: 'owner@gmail.com',
            revokedAt: AT,
            googleRevocation: null,
          },
        },
      ]);
      expect(s.gmail).toMatchObject({
        status: 'revoked',
        refreshToken: null,
        revokedReason: 'tenant_request',
        account: 'owner@gmail.com',
      });
    });
  });

  describe('delivery health', () => {
    const failure = {
      type: 'RecordDeliveryFailure',
      data: { mode: 'smtp', stage: 'connect', message: 'refused', consecutiveFailures: 3, at: AT },
    } as const;
    const failing: MailConfigEvent = {
      type: 'DeliveryFailing',
      data: { mode: 'smtp', stage: 'connect', message: 'refused', consecutiveFailures: 3, since: AT },
    };
    const success = { type: 'RecordDeliverySuccess', data: { mode: 'smtp', at: AT } } as const;
    it('enters the failing state once', () => given([provisioned]).when(failure).then([failing]));
    it('does not record every further failure', () => given([provisioned, failing]).when(failure).then([]));
    it('recovers on a success', () =>
      given([provisioned, failing])
        .when(success)
        .then([{ type: 'DeliveryRecovered', data: { mode: 'smtp', recoveredAt: AT } }]));
    it('records nothing for a success while healthy', () => given([provisioned]).when(success).then([]));
    it('refuses an unprovisioned tenant', () => given([]).when(failure).then(refused('NOT_PROVISIONED')));
  });

  describe('display name', () => {
    const named = (displayName: string | null): MailConfigEvent => ({
      type: 'DisplayNameChanged',
      data: { displayName },
    });
    const change = (displayName: string | null) => ({ type: 'ChangeDisplayName', data: { displayName } }) as const;
    const provision = (displayName?: string) =>
      ({
        type: 'ProvisionMailConfig',
        data: { tenantId: 't-1', username: 'acme', senderDomain: 'smemetrics-email.com', displayName },
      }) as const;
    it('is recorded with the provisioning, trimmed', () =>
      given([])
        .when(provision('  Acme Support '))
        .then([provisioned, named('Acme Support')]));
    it('leaves a repeated provisioning a no-op (changed with ChangeDisplayName only)', () =>
      given([provisioned, named('Acme Support')])
        .when(provision('Other'))
        .then([]));
    it('refuses a line break at provisioning, naming displayName', () =>
      given([]).when(provision('Acme\r\nBcc: x@y.z')).then(refused('INVALID_DISPLAY_NAME', 'displayName')));
    it('changes, and records nothing when unchanged', () => {
      given([provisioned])
        .when(change('Acme Support'))
        .then([named('Acme Support')]);
      given([provisioned, named('Acme Support')])
        .when(change('Acme Support'))
        .then([]);
      given([provisioned, named('Acme Support')])
        .when(change(null))
        .then([named(null)]);
    });
    it.each(['', '  ', 'a\u202eb', 'tab\there', 'x'.repeat(101)])('refuses %j', (value) =>
      given([provisioned]).when(change(value)).then(refused('INVALID_DISPLAY_NAME', 'displayName')),
    );
    it('refuses an erased tenant', () =>
      given([provisioned, erased]).when(change('Acme')).then(refused('TENANT_ERASED')));
    it('is folded into the state', () =>
      expect(fold([provisioned, named('Acme Support')]).displayName).toBe('Acme Support'));
  });

  describe('EraseMailConfig', () => {
    const erase = { type: 'EraseMailConfig', data: { at: AT } } as const;
    it('records the erasure', () => given([provisioned, smtpConfigured]).when(erase).then([erased]));
    it('refuses a second erasure', () => given([provisioned, erased]).when(erase).then(refused('TENANT_ERASED')));
    it('refuses an unprovisioned tenant', () => given([]).when(erase).then(refused('NOT_PROVISIONED')));
  });

  it('derives the sender from the active mode', () => {
    expect(senderOf(fold([provisioned]))).toBe('support.acme@smemetrics-email.com');
    expect(senderOf(fold([provisioned, gmailAuthorized, toGmail]))).toBe('owner@gmail.com');
    expect(
      senderOf(
        fold([
          provisioned,
          smtpConfigured,
          { type: 'ModeChanged', data: { from: 'default', to: 'smtp', reason: 'requested' } },
        ]),
      ),
    ).toBe('help@acme.example');
  });
});
