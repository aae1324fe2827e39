import { type AuthenticationResult, ConfidentialClientApplication, CryptoProvider, LogLevel } from '@azure/msal-node';
import { createHash } from 'node:crypto';
import { type MicrosoftEndpoints, type MicrosoftOAuthConfig } from '../../application/app-config';
import {
  type MicrosoftCallbackQuery,
  type MicrosoftConsent,
  type MicrosoftConsentReturn,
  type MicrosoftConsentStarted,
  type MicrosoftGrant,
  MICROSOFT_REQUESTED_SCOPES,
} from '../../application/microsoft/microsoft.port';
import { type OAuthStateBinding, type OAuthStateStore } from '../../application/ports/oauth-state.port';
import { type HttpsClient } from './https-client';
import { ADMIN_CONSENT_CODES, aadstsOf, describe, tokenFailure } from './microsoft-errors';
import { MsalNetworkClient } from './msal-network';

export interface MicrosoftAccessToken {
  token: string;
  expiresAt: Date;
}

/** The Graph permission that is refreshed for sending: the refresh asks for nothing else. */
const SEND_SCOPES = ['https://graph.microsoft.com/Mail.Send'];

/** MSAL Node always adds `profile`; the consent asks only for what MICROSOFT_REQUESTED_SCOPES lists. */
const EXTRA_OIDC_SCOPES = new Set(['profile']);

/**
 * The Microsoft identity platform v2.0 through MSAL Node: the authorization code flow with PKCE
 * and the refresh of access tokens. Authority metadata and cloud discovery metadata are given
 * (built from MICROSOFT_AUTHORITY_URL and MICROSOFT_TENANT by the documented endpoint layout) and
 * the authority is a known one, so MSAL never asks the public cloud for discovery documents; its
 * network client is ours (deadlines, MICROSOFT_EXTRA_CA_FILE).
 *
 * Every exchange runs on an application object of its own: MSAL's token cache then holds one
 * grant, is read once (MSAL does not hand out refresh tokens otherwise) and dropped.
 */
export class MsalMicrosoft implements MicrosoftConsent {
  private readonly authority: string;
  private readonly authorityMetadata: string;
  private readonly cloudDiscoveryMetadata: string;
  private readonly network: MsalNetworkClient;
  private readonly crypto = new CryptoProvider();

  constructor(
    private readonly client: MicrosoftOAuthConfig,
    endpoints: MicrosoftEndpoints,
    http: HttpsClient,
    private readonly states: OAuthStateStore,
  ) {
    this.authority = `${endpoints.authorityUrl}${endpoints.tenant}`;
    const root = `${this.authority}`;
    this.authorityMetadata = JSON.stringify({
      authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
      token_endpoint: `${root}/oauth2/v2.0/token`,
      end_session_endpoint: `${root}/oauth2/v2.0/logout`,
      issuer: `${root}/v2.0`,
      jwks_uri: `${root}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
    });
    const host = new URL(endpoints.authorityUrl).host;
    this.cloudDiscoveryMetadata = JSON.stringify({
      tenant_discovery_endpoint: `${root}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
    this.network = new MsalNetworkClient(http);
  }

  async begin(binding: OAuthStateBinding): Promise<MicrosoftConsentStarted> {
    const { verifier, challenge } = await this.crypto.generatePkceCodes();
    const issued = await this.states.issue(binding, verifier);
    const url = await this.app().getAuthCodeUrl({
      scopes: [...MICROSOFT_REQUESTED_SCOPES],
      redirectUri: this.client.redirectUri,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      state: issued.state,
      nonce: nonceOf(issued.state),
      prompt: 'select_account',
      responseMode: 'query',
    });
    return { authorizationUrl: withoutExtraScopes(url), expiresAt: issued.expiresAt, state: issued.state };
  }

  async complete(query: MicrosoftCallbackQuery): Promise<MicrosoftConsentReturn> {
    const consumed = await this.states.consume(query.state ?? '', query.browserSecret ?? null);
    if (!consumed.ok) return { outcome: 'state_refused', reason: consumed.reason, returnUrl: consumed.returnUrl };
    const { binding, codeVerifier } = consumed;
    if (query.error) {
      const aadsts = aadstsOf({ errorMessage: query.errorDescription ?? '' });
      if (aadsts !== null && ADMIN_CONSENT_CODES.has(aadsts)) {
        return { outcome: 'admin_consent_required', binding, why: `${query.error}, AADSTS${aadsts}` };
      }
      if (query.error === 'access_denied' || query.error === 'consent_required') return { outcome: 'denied', binding };
      return { outcome: 'failed', binding, why: `Microsoft answered ${query.error.slice(0, 64)}` };
    }
    if (!query.code) return { outcome: 'failed', binding, why: 'no code in the callback' };
    const app = this.app();
    let result: AuthenticationResult;
    try {
      result = await app.acquireTokenByCode(
        {
          code: query.code,
          scopes: [...MICROSOFT_REQUESTED_SCOPES],
          redirectUri: this.client.redirectUri,
          codeVerifier,
        },
        { code: query.code, nonce: nonceOf(query.state!) },
      );
    } catch (error) {
      const aadsts = aadstsOf(error);
      if (aadsts !== null && ADMIN_CONSENT_CODES.has(aadsts)) {
        return { outcome: 'admin_consent_required', binding, why: describe(error) };
      }
      return { outcome: 'failed', binding, why: `code exchange: ${describe(tokenFailure(error))}` };
    }
    const account = accountOf(result);
    if (!account) return { outcome: 'failed', binding, why: 'the ID token names no email address' };
    const grant: MicrosoftGrant = { account, grantedScopes: result.scopes, refreshToken: refreshTokenIn(app) };
    return { outcome: 'granted', binding, grant };
  }

  /** A fresh access token for Graph. Throws GrantRevokedError, MicrosoftUnavailableError or MicrosoftRejectedError. */
  async refresh(refreshToken: string): Promise<MicrosoftAccessToken> {
    let result: AuthenticationResult | null;
    try {
      result = await this.app().acquireTokenByRefreshToken({ refreshToken, scopes: SEND_SCOPES, forceCache: true });
    } catch (error) {
      throw tokenFailure(error);
    }
    if (!result?.accessToken) throw tokenFailure({ errorCode: 'no_access_token' });
    return { token: result.accessToken, expiresAt: result.expiresOn ?? new Date(Date.now() + 60 * 60_000) };
  }

  private app(): ConfidentialClientApplication {
    return new ConfidentialClientApplication({
      auth: {
        clientId: this.client.clientId,
        clientSecret: this.client.clientSecret,
        authority: this.authority,
        knownAuthorities: [new URL(this.authority).host],
        authorityMetadata: this.authorityMetadata,
        cloudDiscoveryMetadata: this.cloudDiscoveryMetadata,
      },
      system: {
        networkClient: this.network,
        // MSAL's own log lines may quote server answers: kept out of the service's logs.
        loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => undefined },
      },
    });
  }
}

/** Binds the ID token to this round trip without storing anything more: the state is signed and single-use. */
function nonceOf(state: string): string {
  return createHash('sha256').update(`nonce:${state}`).digest('base64url');
}

function withoutExtraScopes(authorizationUrl: string): string {
  const url = new URL(authorizationUrl);
  const scopes = (url.searchParams.get('scope') ?? '').split(' ').filter((s) => s && !EXTRA_OIDC_SCOPES.has(s));
  url.searchParams.set('scope', scopes.join(' '));
  return url.toString();
}

function accountOf(result: AuthenticationResult): string | null {
  const claims = (result.idTokenClaims ?? {}) as { email?: unknown; preferred_username?: unknown };
  const looksLikeAddress = (v: unknown): v is string =>
    typeof v === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) && v.length <= 254;
  if (looksLikeAddress(claims.email)) return claims.email.toLowerCase();
  if (looksLikeAddress(claims.preferred_username)) return claims.preferred_username.toLowerCase();
  return null;
}

function refreshTokenIn(app: ConfidentialClientApplication): string | null {
  const cache = JSON.parse(app.getTokenCache().serialize()) as { RefreshToken?: Record<string, { secret?: string }> };
  const entry = Object.values(cache.RefreshToken ?? {})[0];
  return entry?.secret ?? null;
}
