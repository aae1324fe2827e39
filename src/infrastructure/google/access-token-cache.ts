import { type GmailGrantRef } from '../../application/ports/gmail-transport.port';
import { type AccessToken, type GoogleOAuth, GrantRevokedError } from '../../application/ports/google-oauth.port';
import { type GmailMetrics } from '../../application/metrics/gmail-metrics';

export interface AccessTokenCacheOptions {
  /** Refresh this long before Google's expiry, so a token never expires in flight; default 5 min. */
  marginMs?: number;
  /** Grants remembered at most (least recently refreshed dropped first); default 10 000. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * Access tokens per grant, in memory only. A token is reused until shortly before it expires;
 * callers arriving while a refresh runs wait for that refresh instead of starting their own,
 * so ten concurrent sends cost Google one token request (and see one invalid_grant).
 */
export class AccessTokenCache {
  private readonly tokens = new Map<string, AccessToken>();
  private readonly refreshing = new Map<string, Promise<AccessToken>>();
  private readonly marginMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly oauth: GoogleOAuth,
    private readonly metrics: GmailMetrics | null,
    options: AccessTokenCacheOptions = {},
  ) {
    this.marginMs = options.marginMs ?? 5 * 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async get(grant: GmailGrantRef): Promise<string> {
    const cached = this.tokens.get(grant.key);
    if (cached && cached.expiresAt.getTime() - this.marginMs > this.now()) return cached.token;
    return (await this.refresh(grant)).token;
  }

  /** Refreshes now (or joins the refresh already running for this grant). */
  refresh(grant: GmailGrantRef): Promise<AccessToken> {
    const running = this.refreshing.get(grant.key);
    if (running) return running;
    const refresh = this.refreshOnce(grant).finally(() => this.refreshing.delete(grant.key));
    this.refreshing.set(grant.key, refresh);
    return refresh;
  }

  /** Google refused the token: the next caller refreshes. */
  forget(key: string): void {
    this.tokens.delete(key);
  }

  private async refreshOnce(grant: GmailGrantRef): Promise<AccessToken> {
    this.tokens.delete(grant.key);
    const refreshToken = await grant.refreshToken();
    let token: AccessToken;
    try {
      token = await this.oauth.refreshAccessToken(refreshToken);
    } catch (error) {
      this.metrics?.tokenRefreshed(error instanceof GrantRevokedError ? 'revoked' : 'failed');
      throw error;
    }
    this.metrics?.tokenRefreshed('ok');
    this.tokens.set(grant.key, token);
    if (this.tokens.size > this.maxEntries) this.tokens.delete(this.tokens.keys().next().value!);
    return token;
  }
}
