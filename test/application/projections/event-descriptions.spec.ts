import { describeEvent } from '../../../src/application/projections/event-descriptions';

const sealed = '[encrypted]';
const described = (type: string, data: unknown, actor = 'main-application', detectedBy: string | null = null) =>
  describeEvent({ type, data, actor, detectedBy });

describe('history in plain language', () => {
  it('says how a consent ended: at the provider while sending or by the check, or by the tenant', () => {
    const revoked = (reason: string, provider = 'gmail', googleRevocation: unknown = null) => ({
      provider,
      reason,
      account: 'owner@gmail.example',
      revokedAt: '2026-11-26T10:00:00Z',
      googleRevocation,
    });
    expect(described('ConsentRevoked', revoked('revoked_at_google'))).toBe(
      'Gmail consent revoked at Google, detected while sending (owner@gmail.example)',
    );
    expect(described('ConsentRevoked', revoked('revoked_at_google'), 'system:gmail-consent-check')).toBe(
      'Gmail consent revoked at Google, detected by the consent check (owner@gmail.example)',
    );
    expect(
      described('ConsentRevoked', revoked('tenant_request', 'gmail', { ok: false, message: 'Google unreachable' })),
    ).toBe(
      'Gmail consent revoked by the tenant here (owner@gmail.example); asking Google to revoke failed: Google unreachable',
    );
    expect(
      described('ConsentRevoked', revoked('revoked_at_provider', 'microsoft'), 'system:microsoft-consent-check'),
    ).toBe('Microsoft 365 consent revoked at Microsoft, detected by the consent check (owner@gmail.example)');
    // Recorded since the service names itself: actor `system`, what noticed it in `detectedBy`.
    expect(described('ConsentRevoked', revoked('revoked_at_google'), 'system', 'consent-check')).toBe(
      'Gmail consent revoked at Google, detected by the consent check (owner@gmail.example)',
    );
    expect(described('ConsentRevoked', revoked('revoked_at_google'), 'system', 'send')).toBe(
      'Gmail consent revoked at Google, detected while sending (owner@gmail.example)',
    );
  });

  it('describes SMTP settings, tests, failures and the support actions without secrets', () => {
    const settings = described('SmtpConfigured', {
      address: 'help@acme.example',
      host: 'smtp.acme.example',
      port: 587,
      security: 'starttls',
      username: 'help@acme.example',
      password: sealed,
      passwordChanged: false,
      configuredAt: 'x',
    });
    expect(settings).toBe(
      'SMTP settings saved: smtp.acme.example port 587 with STARTTLS, login help@acme.example, ' +
        'sending as help@acme.example (password kept)',
    );
    expect(described('SmtpConnectionTested', { ok: false, stage: 'tls', message: 'certificate expired' })).toBe(
      'SMTP test failed at tls: certificate expired',
    );
    expect(
      described('DeliveryFailing', { mode: 'smtp', stage: 'connect', message: 'refused', consecutiveFailures: 3 }),
    ).toBe('Sending through SMTP failing at connect after 3 failed attempts: refused');
    expect(
      described('TestMessageSent', { to: 'a@b.example', ok: false, mode: 'gmail', stage: 'send', message: '550 no' }),
    ).toBe('Test message to a@b.example failed at send: 550 no');
    expect(
      described('SettingsLinkIssued', { expiresAt: '2026-11-26T10:05:00Z', issuedAt: '2026-11-26T10:00:00Z' }),
    ).toBe('Settings-page link issued, to be opened within 5 minutes');
    expect(
      described('GoogleRevocationConfirmed', {
        account: 'o@gmail.example',
        confirmedAt: '2026-11-26T10:05:00Z',
        attempts: 3,
      }),
    ).toBe('Google confirmed the revocation of the withdrawn Gmail grant (o@gmail.example) at try 3');
  });

  it('names an event this version does not know instead of failing', () => {
    expect(described('MailConfigArchived', {})).toBe('MailConfigArchived (an event this version does not know)');
    expect(described('ModeChanged', null)).toBe('ModeChanged');
  });
});
