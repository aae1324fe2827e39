import { type AppConfig } from '../../../src/application/app-config';
import { type GmailConsentCheck } from '../../../src/application/gmail/gmail-consent-check';
import { GmailScheduler } from '../../../src/application/gmail/gmail-scheduler';
import { gmailSettingsFrom } from '../../../src/application/gmail/gmail-settings';
import { type GoogleRevocationRetry } from '../../../src/application/gmail/google-revocation-retry';
import { parseConfig } from '../../../src/infrastructure/config/config';

const config = (env: Record<string, string>): AppConfig => parseConfig({ DATA_DIR: '/tmp/unused', ...env });

describe('Gmail schedule', () => {
  it('checks consent daily by default, never in tests unless the configuration asks', () => {
    expect(gmailSettingsFrom(config({ NODE_ENV: 'production' })).consentCheckIntervalMs).toBe(24 * 60 * 60 * 1000);
    expect(gmailSettingsFrom(config({ NODE_ENV: 'test' }))).toEqual({
      consentCheckIntervalMs: null,
      revocationRetryIntervalMs: null,
    });
    expect(
      gmailSettingsFrom({ ...config({ NODE_ENV: 'test' }), gmailConsentCheckIntervalSeconds: 60 })
        .consentCheckIntervalMs,
    ).toBe(60_000);
    expect(
      gmailSettingsFrom({ ...config({ NODE_ENV: 'production' }), gmailConsentCheckIntervalSeconds: 0 })
        .consentCheckIntervalMs,
    ).toBeNull();
  });

  it('runs the check and the retries on their intervals, a failing run included, until shutdown', async () => {
    let checks = 0;
    let retries = 0;
    const check = {
      runOnce: async () => {
        checks++;
        throw new Error('Google is down');
      },
    } as unknown as GmailConsentCheck;
    const retry = {
      runOnce: async () => {
        retries++;
        return { attempted: 0, revoked: 0 };
      },
    } as unknown as GoogleRevocationRetry;
    const scheduler = new GmailScheduler({ consentCheckIntervalMs: 20, revocationRetryIntervalMs: 30 }, check, retry);
    scheduler.onApplicationBootstrap();
    await new Promise((r) => setTimeout(r, 200));
    scheduler.onApplicationShutdown();
    const [c, r] = [checks, retries];
    expect(c).toBeGreaterThanOrEqual(3);
    expect(r).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([checks, retries]).toEqual([c, r]);
  });

  it('schedules nothing when both are off', async () => {
    let runs = 0;
    const none = {
      runOnce: async () => {
        runs++;
      },
    } as unknown as GmailConsentCheck & GoogleRevocationRetry;
    const scheduler = new GmailScheduler({ consentCheckIntervalMs: null, revocationRetryIntervalMs: null }, none, none);
    scheduler.onApplicationBootstrap();
    await new Promise((r) => setTimeout(r, 60));
    scheduler.onApplicationShutdown();
    expect(runs).toBe(0);
  });
});
