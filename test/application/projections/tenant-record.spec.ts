import { type TenantRecord } from '../../../src/application/ports/read-model.port';
import { evolveTenantRecord } from '../../../src/application/projections/tenant-record';
import { type MailConfigEvent } from '../../../src/domain/mail-config/mail-config.events';
import {
  consentRevoked,
  gmailAuthorized,
  modeChanged,
  provisioned,
  smtpConfigured,
  smtpTested,
} from './projection-fixtures';

function fold(...events: MailConfigEvent[]): TenantRecord {
  return events.reduce<TenantRecord | null>(
    (record, event, i) =>
      evolveTenantRecord(record, 't-1', event, {
        version: i + 1,
        at: `2026-11-26T10:00:0${i}.000Z`,
        actor: `actor-${i + 1}`,
      }),
    null,
  )!;
}

const failing = (mode: 'default' | 'gmail' | 'smtp'): MailConfigEvent => ({
  type: 'DeliveryFailing',
  data: {
    mode,
    stage: 'connect',
    message: 'connection refused',
    consecutiveFailures: 3,
    since: '2026-11-26T10:00:00Z',
  },
});
const recovered: MailConfigEvent = {
  type: 'DeliveryRecovered',
  data: { mode: 'smtp', recoveredAt: '2026-11-26T10:01:00Z' },
};

describe('tenant dashboard record', () => {
  it('shows the sender of the active mode and who made the last change', () => {
    const r = fold(provisioned('t-1', 'acme'), smtpConfigured('help@acme.example'), modeChanged('default', 'smtp'));
    expect(r).toMatchObject({
      tenantId: 't-1',
      username: 'acme',
      mode: 'smtp',
      sender: 'help@acme.example',
      status: 'ok',
      attention: null,
      lastChangeAt: '2026-11-26T10:00:02.000Z',
      lastChangeBy: 'actor-3',
      version: 3,
    });
    expect(fold(provisioned('t-1', 'acme')).sender).toBe('support.acme@smemetrics-email.com');
    expect(
      fold(provisioned('t-1', 'acme'), gmailAuthorized('owner@gmail.example'), modeChanged('default', 'gmail')).sender,
    ).toBe('owner@gmail.example');
  });

  it('needs attention when Google revoked the consent, until Gmail is authorized again', () => {
    const revoked = fold(
      provisioned('t-1', 'acme'),
      gmailAuthorized('a@gmail.example'),
      consentRevoked('revoked_at_google'),
      modeChanged('gmail', 'default'),
    );
    expect(revoked).toMatchObject({
      status: 'needs_attention',
      attention: 'gmail_revoked',
      gmailRevokedAtGoogle: true,
    });
    const again = fold(
      provisioned('t-1', 'acme'),
      gmailAuthorized('a@gmail.example'),
      consentRevoked('revoked_at_google'),
      gmailAuthorized('a@gmail.example'),
    );
    expect(again).toMatchObject({ status: 'ok', attention: null });
  });

  it('does not need attention when the tenant withdrew its own consent', () => {
    const r = fold(provisioned('t-1', 'acme'), gmailAuthorized('a@gmail.example'), consentRevoked('tenant_request'));
    expect(r).toMatchObject({ status: 'ok', attention: null, gmailRevokedAtGoogle: false });
  });

  it('needs attention after a failed SMTP test, cleared by a passing test or new settings', () => {
    const base = [provisioned('t-1', 'acme'), smtpConfigured('help@acme.example'), modeChanged('default', 'smtp')];
    expect(fold(...base, smtpTested(false))).toMatchObject({
      status: 'needs_attention',
      attention: 'smtp_test_failed',
      reason: 'SMTP test failed at auth: 535 authentication failed',
      smtpFailing: true,
    });
    expect(fold(...base, smtpTested(false), smtpTested(true))).toMatchObject({
      status: 'ok',
      attention: null,
      smtpFailing: false,
    });
    expect(fold(...base, smtpTested(false), smtpConfigured('help@acme.example'))).toMatchObject({
      status: 'ok',
      attention: null,
    });
  });

  it('shows a failed test of an SMTP draft (default mode) as such, without counting it as SMTP failing', () => {
    const r = fold(provisioned('t-1', 'acme'), smtpConfigured('help@acme.example'), smtpTested(false));
    expect(r).toMatchObject({
      mode: 'default',
      status: 'needs_attention',
      attention: 'smtp_test_failed',
      reason: 'SMTP draft (not in use) failed its test at auth: 535 authentication failed',
      smtpFailing: false,
    });
    expect(r.details?.smtp).toMatchObject({ address: 'help@acme.example', configuredBy: 'actor-2' });
    expect(r.details?.lastTest).toMatchObject({ ok: false, stage: 'auth', by: 'actor-3' });
  });

  it('keeps how a grant ended: at the provider while sending or by the consent check, or by the tenant', () => {
    const at = (actor: string) => (e: MailConfigEvent) => [e, actor] as const;
    const events = [
      at('main-application')(provisioned('t-1', 'acme')),
      at('main-application')(gmailAuthorized('owner@gmail.example')),
      at('main-application')(consentRevoked('revoked_at_google')),
    ];
    const foldAs = (list: ReadonlyArray<readonly [MailConfigEvent, string]>) =>
      list.reduce<TenantRecord | null>(
        (r, [e, actor], i) => evolveTenantRecord(r, 't-1', e, { version: i + 1, at: `2026-11-26T10:00:0${i}Z`, actor }),
        null,
      )!;
    const whileSending = foldAs(events);
    expect(whileSending.details?.gmail).toMatchObject({
      account: 'owner@gmail.example',
      status: 'revoked',
      revokedReason: 'revoked_at_google',
      detectedBy: 'sending',
      revokedBy: 'main-application',
    });
    expect(whileSending.reason).toBe('Gmail consent revoked at Google, detected while sending (owner@gmail.example)');
    expect(whileSending.accounts).toEqual(['owner@gmail.example']);
    const byCheck = foldAs([
      ...events.slice(0, 2),
      at('system:gmail-consent-check')(consentRevoked('revoked_at_google')),
    ]);
    expect(byCheck.reason).toBe('Gmail consent revoked at Google, detected by the consent check (owner@gmail.example)');
    const byTenant = foldAs([...events.slice(0, 2), at('ana@acme.example')(consentRevoked('tenant_request'))]);
    expect(byTenant.details?.gmail).toMatchObject({ detectedBy: 'tenant', revokedBy: 'ana@acme.example' });
  });

  it('needs attention while sends in the active mode fail, until they recover', () => {
    const base = [provisioned('t-1', 'acme'), smtpConfigured('help@acme.example'), modeChanged('default', 'smtp')];
    expect(fold(...base, failing('smtp'))).toMatchObject({
      status: 'needs_attention',
      attention: 'send_failing',
      smtpFailing: true,
    });
    expect(fold(...base, failing('smtp'), recovered)).toMatchObject({
      status: 'ok',
      attention: null,
      smtpFailing: false,
    });
    // After switching away from the failing mode, the failures no longer affect the tenant's mail.
    expect(fold(...base, failing('smtp'), modeChanged('smtp', 'default'))).toMatchObject({
      status: 'ok',
      attention: null,
    });
  });

  it('puts failing sends before a lost grant before a failed test', () => {
    const r = fold(
      provisioned('t-1', 'acme'),
      smtpConfigured('help@acme.example'),
      smtpTested(false),
      gmailAuthorized('a@gmail.example'),
      consentRevoked('revoked_at_google'),
    );
    expect(r.attention).toBe('gmail_revoked');
    expect(
      fold(provisioned('t-1', 'acme'), smtpConfigured('h@acme.example'), smtpTested(false), failing('default'))
        .attention,
    ).toBe('send_failing');
  });

  it('is erased, with no attention, after erasure', () => {
    const r = fold(provisioned('t-1', 'acme'), smtpConfigured('help@acme.example'), smtpTested(false), {
      type: 'MailConfigErased',
      data: { erasedAt: 'x' },
    });
    expect(r).toMatchObject({ status: 'erased', attention: null, smtpFailing: false });
  });
});
