import { setTimeout as sleep } from 'node:timers/promises';
import {
  GrantRevokedError,
  type MicrosoftGrantRef,
  type MicrosoftTransport,
  MicrosoftUnavailableError,
} from '../../application/microsoft/microsoft.port';
import {
  MailTransportError,
  type OutgoingMessage,
  type SentMessage,
} from '../../application/ports/mail-transport.port';
import { buildMime } from '../mail/mime';
import { type HttpAnswer, type HttpsClient, HttpTimeoutError } from './https-client';
import { type MicrosoftAccessToken } from './msal-microsoft';

export interface GraphSendOptions {
  /** The whole send, refreshes and retries included; default 30 s. */
  deadlineMs?: number;
  /** Backoff without Retry-After: base doubled per try, capped. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  now?: () => number;
}

/** What refreshes access tokens (MsalMicrosoft.refresh): throws GrantRevokedError when the grant is gone. */
export interface MicrosoftTokenSource {
  refresh(refreshToken: string): Promise<MicrosoftAccessToken>;
}

/**
 * Access tokens per grant, in memory. A token is reused until five minutes before it expires;
 * callers arriving during a refresh join it, so ten concurrent sends cost one token request (and
 * see one invalid_grant).
 */
export class MicrosoftAccessTokens {
  private readonly tokens = new Map<string, MicrosoftAccessToken>();
  private readonly refreshing = new Map<string, Promise<MicrosoftAccessToken>>();

  constructor(
    private readonly source: MicrosoftTokenSource,
    private readonly now: () => number = Date.now,
    private readonly marginMs = 5 * 60_000,
  ) {}

  async get(grant: MicrosoftGrantRef): Promise<string> {
    const cached = this.tokens.get(grant.key);
    if (cached && cached.expiresAt.getTime() - this.marginMs > this.now()) return cached.token;
    return (await this.refresh(grant)).token;
  }

  refresh(grant: MicrosoftGrantRef): Promise<MicrosoftAccessToken> {
    const running = this.refreshing.get(grant.key);
    if (running) return running;
    const refresh = (async () => {
      this.tokens.delete(grant.key);
      const token = await this.source.refresh(await grant.refreshToken());
      this.tokens.set(grant.key, token);
      if (this.tokens.size > 10_000) this.tokens.delete(this.tokens.keys().next().value!);
      return token;
    })().finally(() => this.refreshing.delete(grant.key));
    this.refreshing.set(grant.key, refresh);
    return refresh;
  }

  forget(key: string): void {
    this.tokens.delete(key);
  }
}

/**
 * Mode `microsoft`: Graph `POST v1.0/me/sendMail` with the message as base64 MIME (Graph's
 * documented text/plain form), so attachments, cc/bcc, reply-to and headers are exactly those of
 * the other modes. A 401 gets one fresh access token; 429 and 503/504 are retried within the
 * send's deadline, honouring Retry-After, and are never taken for a revocation; only the token
 * endpoint's answer can say the grant is gone (GrantRevokedError).
 */
export class GraphMailTransport implements MicrosoftTransport {
  private readonly sendMailUrl: string;
  private readonly deadlineMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly now: () => number;

  constructor(
    private readonly tokens: MicrosoftAccessTokens,
    private readonly http: HttpsClient,
    graphUrl: string,
    options: GraphSendOptions = {},
  ) {
    this.sendMailUrl = `${graphUrl}v1.0/me/sendMail`;
    this.deadlineMs = options.deadlineMs ?? 30_000;
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 8_000;
    this.now = options.now ?? Date.now;
  }

  async send(grant: MicrosoftGrantRef, message: OutgoingMessage, deadline?: number): Promise<SentMessage> {
    const until = deadline ?? this.now() + this.deadlineMs;
    // Graph reads Bcc from the MIME headers and strips them before delivery.
    const mime = (await buildMime(message, { keepBcc: true })).raw.toString('base64');
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      const token = await this.accessToken(grant, until, attempt);
      let answer: HttpAnswer;
      try {
        answer = await this.http.send(
          'POST',
          this.sendMailUrl,
          { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
          mime,
          Math.max(1, until - this.now()),
        );
      } catch (error) {
        // Without an answer the message may or may not have been accepted.
        throw new MailTransportError('connect', `Microsoft Graph did not answer: ${(error as Error).message}`, {
          uncertain: error instanceof HttpTimeoutError,
        });
      }
      if (answer.status === 202 || answer.status === 200) {
        return { messageId: message.messageId, accepted: [...message.to, ...message.cc, ...message.bcc], rejected: [] };
      }
      if (answer.status === 401 && !renewed) {
        renewed = true;
        this.tokens.forget(grant.key);
        continue;
      }
      const retryable = answer.status === 429 || answer.status === 503 || answer.status === 504;
      const wait = this.delay(attempt, retryAfterMs(answer.headers['retry-after']));
      if (retryable && this.now() + wait < until) {
        await sleep(wait);
        continue;
      }
      throw sendFailure(answer);
    }
  }

  async refreshNow(grant: MicrosoftGrantRef): Promise<void> {
    await this.tokens.refresh(grant);
  }

  private async accessToken(grant: MicrosoftGrantRef, until: number, attempt: number): Promise<string> {
    for (;;) {
      try {
        return await this.tokens.get(grant);
      } catch (error) {
        if (error instanceof GrantRevokedError) throw error;
        const wait = this.delay(attempt++, null);
        if (error instanceof MicrosoftUnavailableError && this.now() + wait < until) {
          await sleep(wait);
          continue;
        }
        if (error instanceof Error && /^Microsoft/.test(error.name)) {
          throw new MailTransportError('auth', `No Microsoft 365 access token: ${error.message}`);
        }
        throw error;
      }
    }
  }

  private delay(attempt: number, retryAfter: number | null): number {
    if (retryAfter !== null) return retryAfter;
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }
}

function retryAfterMs(header: string | undefined): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function sendFailure(answer: HttpAnswer): MailTransportError {
  let code: string | null = null;
  try {
    const parsed = JSON.parse(answer.body) as { error?: { code?: unknown } };
    if (typeof parsed.error?.code === 'string') code = parsed.error.code.slice(0, 64);
  } catch {
    // not Graph's JSON error: the status says enough
  }
  const stage = answer.status === 401 || answer.status === 403 ? 'auth' : 'send';
  return new MailTransportError(
    stage,
    `Microsoft Graph refused the message (HTTP ${answer.status}${code ? `, ${code}` : ''})`,
    { uncertain: answer.status >= 500 },
  );
}
