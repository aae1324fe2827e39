import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { type GoogleOAuthConfig } from '../../application/app-config';
import {
  type AccessToken,
  type AuthorizationUrlRequest,
  GMAIL_REQUESTED_SCOPES,
  type GoogleGrant,
  type GoogleOAuth,
  GoogleRejectedError,
} from '../../application/ports/google-oauth.port';
import { googleErrorCode, statusOf, toPortError } from './google-errors';

export interface GoogleEndpoints {
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  userinfoUrl: string;
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
 * google-auth-library's OAuth2Client with every endpoint taken from configuration (tests,
 * proxies). Every request has a timeout and a bounded number of retries; nothing a library
 * says leaves this adapter, only the port's errors with messages built here.
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
        oauth2AuthBaseUrl: endpoints.authUrl,
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

  authorizationUrl({ state, codeChallenge }: AuthorizationUrlRequest): string {
    return this.client.generateAuthUrl({
      scope: [...GMAIL_REQUESTED_SCOPES],
      access_type: 'offline',
      // Google only sends a refresh token on a consent: ask for one every time.
      prompt: 'consent',
      state,
      code_challenge: codeChallenge,
      code_challenge_method: CodeChallengeMethod.S256,
    });
  }

  async exchangeCode(code: string, codeVerifier: string): Promise<GoogleGrant> {
    let tokens;
    try {
      ({ tokens } = await this.client.getToken({ code, codeVerifier }));
    } catch (error) {
      throw toPortError(error, 'token exchange');
    }
    if (!tokens.access_token)
      throw new GoogleRejectedError('invalid_response', 'Google’s token answer held no access token');
    const accessToken = { token: tokens.access_token, expiresAt: expiryOf(tokens.expiry_date, 3_600_000) };
    return {
      account: await this.accountOf(accessToken.token),
      grantedScopes: (tokens.scope ?? '').split(' ').filter(Boolean),
      refreshToken: tokens.refresh_token ?? null,
      accessToken,
    };
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

  /** OpenID Connect userinfo: the address of the account that granted the consent. */
  private async accountOf(accessToken: string): Promise<string> {
    let data: { email?: unknown; email_verified?: unknown };
    try {
      ({ data } = await this.client.transporter.request<{ email?: unknown; email_verified?: unknown }>({
        url: this.endpoints.userinfoUrl,
        method: 'GET',
        headers: { authorization: `Bearer ${accessToken}` },
        responseType: 'json',
      }));
    } catch (error) {
      throw toPortError(error, 'userinfo request');
    }
    if (typeof data?.email !== 'string' || !data.email.includes('@') || data.email_verified === false) {
      throw new GoogleRejectedError('invalid_userinfo', 'Google’s userinfo did not name a verified email address');
    }
    return data.email.toLowerCase();
  }
}
