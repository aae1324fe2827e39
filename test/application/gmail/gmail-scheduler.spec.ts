import { type AppConfig } from '../../../src/application/app-config';
import { type CommandBus } from '@nestjs/cqrs';
import { CheckGmailConsentsCommand, RetryGoogleRevocationsCommand } from '../../../src/application/gmail/commands';
import { GmailScheduler } from '../../../src/application/gmail/gmail-scheduler';
import { gmailSettingsFrom } from '../../../src/application/gmail/gmail-settings';
import { parseConfig } from '../../../src/infrastructure/config/config';
import { InProcessJobLock } from '../../../src/infrastructure/jobs/in-process.job-lock';

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

  const ids = { next: () => 'run-id' };

  it('dispatches the check and the retries on their intervals, a failing run included, until shutdown', async () => {
    const dispatched: unknown[] = [];
    const commandBus = {
      execute: async (command: unknown) => {
        dispatched.push(command);
        if (command instanceof CheckGmailConsentsCommand) throw new Error('Google is down');
        return { attempted: 0, revoked: 0 };
      },
    } as unknown as CommandBus;
    const scheduler = new GmailScheduler(
      { consentCheckIntervalMs: 20, revocationRetryIntervalMs: 30 },
      commandBus,
      ids,
      new InProcessJobLock(),
    );
    scheduler.onApplicationBootstrap();
    await new Promise((r) => setTimeout(r, 200));
    await scheduler.onApplicationShutdown();
    const checks = dispatched.filter((c) => c instanceof CheckGmailConsentsCommand);
    const retries = dispatched.filter((c) => c instanceof RetryGoogleRevocationsCommand);
    expect(checks.length).toBeGreaterThanOrEqual(3);
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(checks[0]).toEqual(
      new CheckGmailConsentsCommand({ actor: 'system:gmail-consent-check', correlationId: 'run-id' }),
    );
    expect(retries[0]).toMatchObject({ dueOnly: true, context: { actor: 'system:google-revocation-retry' } });
    const count = dispatched.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(dispatched).toHaveLength(count);
  });

  it('schedules nothing when both are off', async () => {
    let runs = 0;
    const commandBus = {
      execute: async () => {
        runs++;
      },
    } as unknown as CommandBus;
    const scheduler = new GmailScheduler(
      { consentCheckIntervalMs: null, revocationRetryIntervalMs: null },
      commandBus,
      ids,
      new InProcessJobLock(),
    );
    scheduler.onApplicationBootstrap();
    await new Promise((r) => setTimeout(r, 60));
    await scheduler.onApplicationShutdown();
    expect(runs).toBe(0);
  });
});
