import { OAuth2Client } from 'google-auth-library';
import { type GoogleOAuthConfig } from '../../application/app-config';
import { type AccessToken, type GoogleOAuth, GoogleRejectedError } from '../../application/ports/google-oauth.port';
import { googleErrorCode, statusOf, toPortError } from './google-errors';

export interface GoogleEndpoints {
  tokenUrl: string;
  revokeUrl: string;
}

export interface GoogleCallOptions {
  /** Per HTTP request; default 10 s. */
  timeoutMs?: number;
  /** Further tries of a request that got no answer, 408, 429 or 5xx (gaxios backoff); default 2. */
  retries?: number;
  /** First retry delay; default 200 ms. */
  retryDelayMs?: number;
}

/** Exposes the refresh of a given refresh token, which OAuth2Client keeps protected. */
class Client extends OAuth2Client {
  refreshWith(refreshToken: string) {
    return this.refreshTokenNoCache(refreshToken);
  }
}

const expiryOf = (expiryDate: number | null | undefined, fallbackMs: number) =>
  new Date(typeof expiryDate === 'number' ? expiryDate : Date.now() + fallbackMs);

/**
 * google-auth-library's OAuth2Client for the tokens after the consent (refresh, revocation; the
 * consent itself is passport's, see google-consent.ts), with every endpoint taken from
 * configuration (tests, proxies). Every request has a timeout and a bounded number of retries;
 * nothing a library says leaves this adapter, only the port's errors with messages built here.
 */
export class GoogleOAuthAdapter implements GoogleOAuth {
  private readonly client: Client;

  constructor(
    config: GoogleOAuthConfig,
    private readonly endpoints: GoogleEndpoints,
    options: GoogleCallOptions = {},
  ) {
    this.client = new Client({
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      redirectUri: config.redirectUri,
      endpoints: {
        oauth2TokenUrl: endpoints.tokenUrl,
        oauth2RevokeUrl: endpoints.revokeUrl,
      },
      transporterOptions: {
        timeout: options.timeoutMs ?? 10_000,
        // Node's own fetch: gaxios would otherwise load node-fetch, an ES module.
        fetchImplementation: fetch,
        retryConfig: {
          retry: options.retries ?? 2,
          noResponseRetries: options.retries ?? 2,
          retryDelay: options.retryDelayMs ?? 200,
          httpMethodsToRetry: ['GET', 'POST'],
        },
      },
    });
  }

  async refreshAccessToken(refreshToken: string): Promise<AccessToken> {
    try {
      const { tokens } = await this.client.refreshWith(refreshToken);
      if (!tokens.access_token)
        throw new GoogleRejectedError('invalid_response', 'Google’s token answer held no access token');
      return { token: tokens.access_token, expiresAt: expiryOf(tokens.expiry_date, 3_600_000) };
    } catch (error) {
      throw toPortError(error, 'token refresh');
    }
  }

  /**
   * The token goes in the form body (RFC 7009), not in the query string OAuth2Client.revokeToken
   * uses, so it cannot end up in a URL some proxy or error message records.
   */
  async revoke(token: string): Promise<void> {
    try {
      await this.client.transporter.request({
        url: this.endpoints.revokeUrl,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        data: new URLSearchParams({ token }).toString(),
      });
    } catch (error) {
      // Google answers invalid_token for a token it no longer knows: it is revoked either way.
      if (
        statusOf(error) === 400 &&
        googleErrorCode((error as { response?: { data?: unknown } }).response?.data) === 'invalid_token'
      )
        return;
      throw toPortError(error, 'revocation');
    }
  }
}
