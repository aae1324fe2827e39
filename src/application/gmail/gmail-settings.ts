import { type AppConfig } from '../app-config';

export const GMAIL_SETTINGS = Symbol('GMAIL_SETTINGS');

export interface GmailSettings {
  /** How often every authorized tenant's grant is refreshed to notice revocations early; null: never. */
  consentCheckIntervalMs: number | null;
  /** How often failed revocations at Google are retried (each one with its own backoff); null: never. */
  revocationRetryIntervalMs: number | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Daily by default; off in tests (NODE_ENV=test) unless the configuration asks for it. */
export function gmailSettingsFrom(config: AppConfig): GmailSettings {
  const configured = config.gmailConsentCheckIntervalSeconds;
  const consentCheckIntervalMs =
    configured === undefined || configured === null
      ? config.nodeEnv === 'test'
        ? null
        : DAY_MS
      : configured > 0
        ? configured * 1000
        : null;
  return {
    consentCheckIntervalMs,
    revocationRetryIntervalMs: config.nodeEnv === 'test' ? null : 5 * 60 * 1000,
  };
}
