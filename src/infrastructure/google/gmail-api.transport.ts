import { setTimeout as sleep } from 'node:timers/promises';
import { gmail, type gmail_v1 } from 'googleapis/build/src/apis/gmail';
import { type GmailGrantRef, type GmailTransport } from '../../application/ports/gmail-transport.port';
import {
  GoogleRejectedError,
  GoogleUnavailableError,
  GrantRevokedError,
} from '../../application/ports/google-oauth.port';
import {
  MailTransportError,
  type OutgoingMessage,
  type SentMessage,
} from '../../application/ports/mail-transport.port';
import { type AccessTokenCache } from './access-token-cache';
import { buildMime } from '../mail/mime';
import { googleErrorCode, isTransient, networkReason, retryAfterMs, statusOf } from './google-errors';

export interface GmailSendOptions {
  /** Per request to the Gmail API; default 20 s. */
  timeoutMs?: number;
  /** Tries in all for transient failures (no answer, 408, 429, 5xx); default 4. */
  attempts?: number;
  /** Backoff: base doubled per try, capped, with jitter; Retry-After wins when Google sends it. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Mode 2: users.messages.send through googleapis, as the authorized account, with only the
 * gmail.send scope (so no SMTP XOAUTH2, which needs full mailbox access). A 401 gets one fresh
 * access token; transient failures are retried with backoff and never taken for a revocation;
 * only invalid_grant from the token endpoint surfaces as GrantRevokedError.
 */
export class GmailApiTransport implements GmailTransport {
  private readonly api: gmail_v1.Gmail;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly tokens: AccessTokenCache,
    gmailApiUrl: string,
    options: GmailSendOptions = {},
  ) {
    this.api = gmail({ version: 'v1', rootUrl: gmailApiUrl });
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.attempts = Math.max(1, options.attempts ?? 4);
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 4_000;
  }

  async send(grant: GmailGrantRef, message: OutgoingMessage): Promise<SentMessage> {
    const raw = (await buildMime(message, { keepBcc: true })).raw.toString('base64url');
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      let token: string;
      try {
        token = await this.tokens.get(grant);
      } catch (error) {
        if (error instanceof GoogleUnavailableError && attempt < this.attempts) {
          await sleep(this.delay(attempt, null));
          continue;
        }
        throw tokenFailure(error);
      }
      try {
        await this.api.users.messages.send(
          { userId: 'me', requestBody: { raw } },
          {
            headers: { authorization: `Bearer ${token}` },
            timeout: this.timeoutMs,
            retry: false,
            fetchImplementation: fetch,
          },
        );
        return { messageId: message.messageId, accepted: [...message.to, ...message.cc, ...message.bcc], rejected: [] };
      } catch (error) {
        // An access token Google no longer accepts (expired early, or the grant was just
        // revoked): one refresh tells which. Not counted as a try.
        if (statusOf(error) === 401 && !renewed) {
          renewed = true;
          this.tokens.forget(grant.key);
          attempt--;
          continue;
        }
        if (!isTransient(error) || attempt >= this.attempts) throw sendFailure(error);
        await sleep(this.delay(attempt, retryAfterMs(error)));
      }
    }
  }

  async refreshNow(grant: GmailGrantRef): Promise<void> {
    await this.tokens.refresh(grant);
  }

  private delay(attempt: number, retryAfter: number | null): number {
    if (retryAfter !== null) return Math.min(retryAfter, this.maxDelayMs);
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }
}

function tokenFailure(error: unknown): Error {
  if (error instanceof GrantRevokedError) return error;
  if (error instanceof GoogleUnavailableError)
    return new MailTransportError('auth', `No Gmail access token: ${error.message}`);
  if (error instanceof GoogleRejectedError)
    return new MailTransportError('auth', `No Gmail access token: ${error.message}`);
  // CredentialUnavailableError and anything unexpected: the caller knows these types.
  return error as Error;
}

function sendFailure(error: unknown): MailTransportError {
  const status = statusOf(error);
  if (status === null) {
    const reason = networkReason(error);
    // Without an answer the message may or may not have been accepted.
    return new MailTransportError('connect', `The Gmail API did not answer: ${reason}`, {
      uncertain: reason === 'timed out',
    });
  }
  const code = googleErrorCode((error as { response?: { data?: unknown } }).response?.data);
  const stage = status === 401 || status === 403 ? 'auth' : 'send';
  return new MailTransportError(stage, `The Gmail API refused the message (HTTP ${status}${code ? `, ${code}` : ''})`, {
    uncertain: status >= 500,
  });
}
