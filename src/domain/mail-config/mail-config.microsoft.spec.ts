import { DeciderSpecification } from '../../../test/support/decider-specification';
import { fold, mailConfigDecider } from './mail-config.decider';
import { type MailConfigErrorCode } from './mail-config.errors';
import { type MailConfigEvent } from './mail-config.events';
import { senderOf } from './mail-config.state';
import { GMAIL_SEND_SCOPE, MICROSOFT_SEND_SCOPE } from './mail-config.types';

const { given } = DeciderSpecification.for(mailConfigDecider);
const refused = (code: MailConfigErrorCode, field?: string) => ({
  name: 'MailConfigError',
  code,
  ...(field ? { field } : {}),
});

const AT = '2026-12-03T10:00:00.000Z';
const LATER = '2026-12-03T11:00:00.000Z';
const sealed = (n: string) => ({ keyId: 'dek:k1', ciphertext: `ct-${n}` });

const provisioned: MailConfigEvent = {
  type: 'MailConfigProvisioned',
  data: { tenantId: 't-1', username: 'acme', defaultAddress: 'support.acme@smemetrics-email.com' },
};
const scopes = ['openid', 'email', 'offline_access', MICROSOFT_SEND_SCOPE];
const microsoftAuthorized = (authorizedAt = AT): MailConfigEvent => ({
  type: 'MicrosoftAuthorized',
  data: { account: 'owner@contoso.test', scopes, refreshToken: sealed('rt'), authorizedAt },
});
const toMicrosoft: MailConfigEvent = {
  type: 'ModeChanged',
  data: { from: 'default', to: 'microsoft', reason: 'microsoft_authorized' },
};
const gmailAuthorized: MailConfigEvent = {
  type: 'GmailAuthorized',
  data: { account: 'owner@gmail.com', scopes: [GMAIL_SEND_SCOPE], refreshToken: sealed('g'), authorizedAt: AT },
};
const revokedAtProvider: MailConfigEvent = {
  type: 'ConsentRevoked',
  data: {
    provider: 'microsoft',
    reason: 'revoked_at_provider',
    account: 'owner@contoso.test',
    revokedAt: AT,
    googleRevocation: null,
  },
};
const backToDefault: MailConfigEvent = {
  type: 'ModeChanged',
  data: { from: 'microsoft', to: 'default', reason: 'consent_revoked' },
};

describe('mail configuration decider: Microsoft 365 mode', () => {
  describe('AuthorizeMicrosoft', () => {
    const authorize = (granted: string[], at = AT) =>
      ({
        type: 'AuthorizeMicrosoft',
        data: { account: 'owner@contoso.test', scopes: granted, refreshToken: sealed('rt'), at },
      }) as const;
    it('records the grant and switches to microsoft in one decision', () =>
      given([provisioned]).when(authorize(scopes)).then([microsoftAuthorized(), toMicrosoft]));
    it('accepts Mail.Send as the identity platform may report it, without the resource prefix', () =>
      given([provisioned])
        .when(authorize(['openid', 'Mail.Send']))
        .then([
          {
            type: 'MicrosoftAuthorized',
            data: {
              account: 'owner@contoso.test',
              scopes: ['openid', 'Mail.Send'],
              refreshToken: sealed('rt'),
              authorizedAt: AT,
            },
          },
          toMicrosoft,
        ]));
    it('refuses a grant without Mail.Send', () =>
      given([provisioned])
        .when(authorize(['openid', 'email', 'offline_access']))
        .then(refused('MICROSOFT_SCOPE_MISSING')));
    it('replaces an existing grant without switching again', () =>
      given([provisioned, microsoftAuthorized(), toMicrosoft])
        .when(authorize(scopes, LATER))
        .then([microsoftAuthorized(LATER)]));
    it('switches away from gmail and leaves the Gmail grant alone', () => {
      const toGmail: MailConfigEvent = {
        type: 'ModeChanged',
        data: { from: 'default', to: 'gmail', reason: 'gmail_authorized' },
      };
      given([provisioned, gmailAuthorized, toGmail])
        .when(authorize(scopes))
        .then([
          microsoftAuthorized(),
          { type: 'ModeChanged', data: { from: 'gmail', to: 'microsoft', reason: 'microsoft_authorized' } },
        ]);
    });
    it('refuses an unprovisioned tenant', () => given([]).when(authorize(scopes)).then(refused('NOT_PROVISIONED')));
  });

  describe('ChangeMode to microsoft', () => {
    const to = (mode: 'microsoft' | 'default') => ({ type: 'ChangeMode', data: { mode } }) as const;
    it('is refused before Microsoft is authorized (409)', () =>
      given([provisioned]).when(to('microsoft')).then(refused('MICROSOFT_NOT_AUTHORIZED', 'mode')));
    it('is refused after consent was revoked', () =>
      given([provisioned, microsoftAuthorized(), toMicrosoft, revokedAtProvider, backToDefault])
        .when(to('microsoft'))
        .then(refused('MICROSOFT_NOT_AUTHORIZED')));
    it('is allowed once authorized', () =>
      given([
        provisioned,
        microsoftAuthorized(),
        toMicrosoft,
        { ...backToDefault, data: { ...backToDefault.data, reason: 'requested' } },
      ])
        .when(to('microsoft'))
        .then([{ type: 'ModeChanged', data: { from: 'default', to: 'microsoft', reason: 'requested' } }]));
  });

  describe('RevokeMicrosoftConsent', () => {
    const revoke = (reason: 'tenant_request' | 'revoked_at_provider', grantAuthorizedAt?: string) =>
      ({ type: 'RevokeMicrosoftConsent', data: { reason, at: AT, grantAuthorizedAt } }) as const;
    it('revoked at the provider: records it and falls back to default', () =>
      given([provisioned, microsoftAuthorized(), toMicrosoft])
        .when(revoke('revoked_at_provider', AT))
        .then([revokedAtProvider, backToDefault]));
    it('at the tenant’s request: records it with provider microsoft', () =>
      given([provisioned, microsoftAuthorized(), toMicrosoft])
        .when(revoke('tenant_request'))
        .then([
          { ...revokedAtProvider, data: { ...revokedAtProvider.data, reason: 'tenant_request' } },
          backToDefault,
        ]));
    it('keeps the mode when microsoft was not the active mode', () =>
      given([
        provisioned,
        microsoftAuthorized(),
        toMicrosoft,
        { type: 'ModeChanged', data: { from: 'microsoft', to: 'default', reason: 'requested' } },
      ])
        .when(revoke('tenant_request'))
        .then([{ ...revokedAtProvider, data: { ...revokedAtProvider.data, reason: 'tenant_request' } }]));
    it('records nothing when consent is already gone (one record for ten detections)', () =>
      given([provisioned, microsoftAuthorized(), toMicrosoft, revokedAtProvider, backToDefault])
        .when(revoke('revoked_at_provider', AT))
        .then([]));
    it('records nothing for a grant the tenant has replaced since', () =>
      given([provisioned, microsoftAuthorized(LATER), toMicrosoft])
        .when(revoke('revoked_at_provider', AT))
        .then([]));
    it('never touches the Gmail grant', () => {
      const state = fold([provisioned, gmailAuthorized, microsoftAuthorized(), toMicrosoft, revokedAtProvider]);
      expect(state.gmail.status).toBe('authorized');
      expect(state.microsoft).toMatchObject({
        status: 'revoked',
        refreshToken: null,
        revokedReason: 'revoked_at_provider',
      });
    });
    it('a Gmail revocation never touches the Microsoft grant', () =>
      given([provisioned, gmailAuthorized, microsoftAuthorized(), toMicrosoft])
        .when({ type: 'RevokeGmailConsent', data: { reason: 'tenant_request', at: AT, googleRevocation: null } })
        .then([
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
        ]));
  });

  it('the sender in microsoft mode is the authorized account', () => {
    expect(senderOf(fold([provisioned, microsoftAuthorized(), toMicrosoft]))).toBe('owner@contoso.test');
    expect(senderOf(fold([provisioned, microsoftAuthorized(), toMicrosoft, revokedAtProvider, backToDefault]))).toBe(
      'support.acme@smemetrics-email.com',
    );
  });

  it('erasure drops the sealed Microsoft refresh token from the state', () => {
    const erased: MailConfigEvent = { type: 'MailConfigErased', data: { erasedAt: AT } };
    expect(fold([provisioned, microsoftAuthorized(), erased]).microsoft.refreshToken).toBeNull();
  });

  it('erasure ends both live grants, so the erased view never shows them authorized', () => {
    const erased: MailConfigEvent = { type: 'MailConfigErased', data: { erasedAt: AT } };
    const state = fold([provisioned, gmailAuthorized, microsoftAuthorized(), erased]);
    for (const grant of [state.gmail, state.microsoft]) {
      expect(grant).toMatchObject({ status: 'revoked', revokedAt: AT, revokedReason: 'tenant_request' });
      expect(grant.refreshToken).toBeNull();
    }
  });
});
