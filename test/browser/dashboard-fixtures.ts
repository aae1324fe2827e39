import { randomUUID } from 'node:crypto';
import { DecideAndAppend } from '../../src/application/mail-config/decide-and-append';
import { CIPHER, type Cipher } from '../../src/application/ports/cipher.port';
import { type MailConfigCommand } from '../../src/domain/mail-config/mail-config.commands';
import { GMAIL_SEND_SCOPE } from '../../src/domain/mail-config/mail-config.types';
import { type TestService } from '../support/app';

export type Trouble = 'gmail_revoked' | 'smtp_test_failed' | 'send_failing';

/**
 * Puts a tenant into one of the "needs attention" states through the service's own command
 * handler and decider — the path the Gmail, SMTP-test and sending features use — for the states
 * whose HTTP routes belong to those features.
 */
export async function recordTrouble(
  svc: TestService,
  tenantId: string,
  trouble: Trouble,
  actor = 'watcher@platform',
): Promise<void> {
  const handler = svc.running.app.get(DecideAndAppend);
  const cipher = svc.running.app.get<Cipher>(CIPHER);
  const at = () => new Date().toISOString();
  const run = (command: MailConfigCommand) => handler.handle(tenantId, command, { actor, correlationId: randomUUID() });
  switch (trouble) {
    case 'gmail_revoked': {
      const refreshToken = await cipher.encrypt('1//refresh-token-canary', { tenantId, field: 'gmail.refreshToken' });
      await run({
        type: 'AuthorizeGmail',
        data: {
          account: `${tenantId}@gmail.example`,
          scopes: ['openid', 'email', GMAIL_SEND_SCOPE],
          refreshToken,
          at: at(),
        },
      });
      await run({
        type: 'RevokeGmailConsent',
        data: { reason: 'revoked_at_google', at: at(), googleRevocation: null },
      });
      return;
    }
    case 'smtp_test_failed':
      await run({
        type: 'RecordSmtpTest',
        data: { ok: false, stage: 'auth', message: '535 5.7.8 authentication failed', durationMs: 85, at: at() },
      });
      return;
    case 'send_failing':
      await run({
        type: 'RecordDeliveryFailure',
        data: {
          mode: 'default',
          stage: 'connect',
          message: 'relay refused the connection',
          consecutiveFailures: 3,
          at: at(),
        },
      });
      return;
  }
}

/** Polls until `check` returns a value, failing after the deadline. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  deadlineMs: number,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const smtpSettings = (password: string) => ({
  address: 'help@acme.example',
  password,
  host: 'smtp.acme.example',
  port: 587,
  activate: true,
  // Nothing answers for this host: activated without the Test.
  force: true,
});
