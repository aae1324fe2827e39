import { type WebhookConfig } from '../../application/app-config';

type Env = Record<string, string | undefined>;
/** config.ts's ConfigError, handed in (config.ts imports this file, so it cannot import config.ts). */
type Invalid = (variable: string, problem: string) => Error;

/** The Standard Webhooks specification's suggested schedule after the first attempt. */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `5s`, `30m`, `2h`, `1d`: a whole number and a unit. */
export function durationMs(text: string): number | null {
  const m = /^(\d{1,9})(ms|s|m|h|d)$/.exec(text.trim());
  return m ? Number(m[1]) * unitMs[m[2]] : null;
}

const get = (env: Env, name: string) => {
  const v = env[name]?.trim();
  return v ? v : undefined;
};

function webhookUrl(raw: string, invalid: Invalid): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw invalid('WEBHOOK_URL', 'must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalid('WEBHOOK_URL', 'must use http:// or https://');
  }
  if (parsed.username || parsed.password) {
    throw invalid('WEBHOOK_URL', 'must not carry credentials: requests are signed with WEBHOOK_SECRET');
  }
  return parsed.toString();
}

/** `whsec_` and the base64 of 24 to 64 random bytes, as Standard Webhooks libraries generate them. */
function webhookSecret(raw: string, invalid: Invalid): Buffer {
  // The value itself never appears in the message: it is a secret.
  const m = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(raw);
  const key = m ? Buffer.from(m[1], 'base64') : null;
  if (!key || key.length < 24 || key.length > 64) {
    throw invalid('WEBHOOK_SECRET', 'must be whsec_ followed by the base64 of 24 to 64 random bytes');
  }
  return key;
}

function schedule(env: Env, invalid: Invalid): number[] {
  const raw = get(env, 'WEBHOOK_RETRY_SCHEDULE') ?? DEFAULT_WEBHOOK_RETRY_SCHEDULE;
  const delays = raw.split(',').map((part) => {
    const ms = durationMs(part);
    if (ms === null) {
      throw invalid(
        'WEBHOOK_RETRY_SCHEDULE',
        `"${part.trim()}" is not a duration like 500ms, 5s, 5m, 2h or 1d (comma-separated)`,
      );
    }
    return ms;
  });
  if (delays.length > 50) throw invalid('WEBHOOK_RETRY_SCHEDULE', 'holds more than 50 retries');
  return delays;
}

function timeout(env: Env, invalid: Invalid): number {
  const raw = get(env, 'WEBHOOK_TIMEOUT') ?? '15s';
  const ms = durationMs(raw);
  if (ms === null || ms < 100 || ms > 300_000) {
    throw invalid('WEBHOOK_TIMEOUT', `must be a duration from 100ms to 5m, got "${raw}"`);
  }
  return ms;
}

/** WEBHOOK_URL and WEBHOOK_SECRET together, or neither (webhooks off). */
export function webhookConfig(env: Env, invalid: Invalid): WebhookConfig | null {
  const url = get(env, 'WEBHOOK_URL');
  const secret = get(env, 'WEBHOOK_SECRET');
  const retryScheduleMs = schedule(env, invalid);
  const timeoutMs = timeout(env, invalid);
  if (!url && !secret) return null;
  if (!url) throw invalid('WEBHOOK_URL', 'must be set when WEBHOOK_SECRET is');
  if (!secret) throw invalid('WEBHOOK_SECRET', 'must be set when WEBHOOK_URL is');
  return { url: webhookUrl(url, invalid), secret: webhookSecret(secret, invalid), retryScheduleMs, timeoutMs };
}
