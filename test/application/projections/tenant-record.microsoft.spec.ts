import { type TenantRecord } from '../../../src/application/ports/read-model.port';
import { evolveTenantRecord } from '../../../src/application/projections/tenant-record';
import { type MailConfigEvent } from '../../../src/domain/mail-config/mail-config.events';
import { consentRevoked, gmailAuthorized, provisioned } from './projection-fixtures';

function fold(...events: MailConfigEvent[]): TenantRecord {
  return events.reduce<TenantRecord | null>(
    (record, event, i) =>
      evolveTenantRecord(record, 't-1', event, { version: i + 1, at: `2026-12-03T10:00:0${i}.000Z`, actor: 'a' }),
    null,
  )!;
}

const microsoftAuthorized: MailConfigEvent = {
  type: 'MicrosoftAuthorized',
  data: {
    account: 'owner@contoso.test',
    scopes: ['https://graph.microsoft.com/Mail.Send'],
    refreshToken: { keyId: 'k', ciphertext: 'c' },
    authorizedAt: '2026-12-03T10:00:00.000Z',
  },
};
const toMicrosoft: MailConfigEvent = {
  type: 'ModeChanged',
  data: { from: 'default', to: 'microsoft', reason: 'microsoft_authorized' },
};
const backToDefault: MailConfigEvent = {
  type: 'ModeChanged',
  data: { from: 'microsoft', to: 'default', reason: 'consent_revoked' },
};
const microsoftRevoked = (reason: 'revoked_at_provider' | 'tenant_request'): MailConfigEvent => ({
  type: 'ConsentRevoked',
  data: { provider: 'microsoft', reason, account: 'owner@contoso.test', revokedAt: 'x', googleRevocation: null },
});

describe('tenant dashboard record: Microsoft 365', () => {
  it('counts the tenant in mode microsoft with the account as sender', () => {
    expect(fold(provisioned('t-1', 'acme'), microsoftAuthorized, toMicrosoft)).toMatchObject({
      mode: 'microsoft',
      sender: 'owner@contoso.test',
      status: 'ok',
      attention: null,
    });
  });

  it('flags microsoft_revoked when Microsoft ended the grant, not when the tenant withdrew it', () => {
    expect(
      fold(
        provisioned('t-1', 'acme'),
        microsoftAuthorized,
        toMicrosoft,
        microsoftRevoked('revoked_at_provider'),
        backToDefault,
      ),
    ).toMatchObject({ mode: 'default', status: 'needs_attention', attention: 'microsoft_revoked' });
    expect(
      fold(
        provisioned('t-1', 'acme'),
        microsoftAuthorized,
        toMicrosoft,
        microsoftRevoked('tenant_request'),
        backToDefault,
      ),
    ).toMatchObject({ mode: 'default', status: 'ok', attention: null });
  });

  it('a new authorization clears the flag; a Microsoft revocation does not touch Gmail’s flag', () => {
    expect(
      fold(
        provisioned('t-1', 'acme'),
        microsoftAuthorized,
        microsoftRevoked('revoked_at_provider'),
        microsoftAuthorized,
      ),
    ).toMatchObject({ attention: null });
    const both = fold(
      provisioned('t-1', 'acme'),
      gmailAuthorized('owner@gmail.example'),
      consentRevoked('tenant_request'),
      microsoftAuthorized,
      microsoftRevoked('revoked_at_provider'),
    );
    expect(both).toMatchObject({ gmailRevokedAtGoogle: false, attention: 'microsoft_revoked' });
  });
});
