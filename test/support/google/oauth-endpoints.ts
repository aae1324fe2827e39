import { createHash } from 'node:crypto';
import { type GoogleState, KNOWN_SCOPES, SIGN_IN_SCOPES, token } from './google-state';

/**
 * Google's OAuth 2.0 endpoints for web server applications, as its public documentation
 * describes them: the authorization endpoint (consent, denial, granular consent), the token
 * endpoint (authorization_code with PKCE, refresh_token), revocation and OpenID userinfo.
 */
export interface StandInResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface RegisteredClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface AuthorizationRequestRecord {
  params: Record<string, string>;
  scopes: string[];
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): StandInResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  body,
});
const oauthError = (status: number, error: string, description: string) =>
  json(status, { error, error_description: description });
const redirect = (location: string): StandInResponse => ({ status: 302, headers: { location } });
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

export function authorize(
  query: URLSearchParams,
  state: GoogleState,
  client: RegisteredClient,
  log: AuthorizationRequestRecord[],
): StandInResponse {
  const params = Object.fromEntries(query);
  const scopes = (params.scope ?? '').split(' ').filter(Boolean);
  log.push({ params, scopes });
  // Errors before a valid redirect URI is known are shown to the user, never redirected.
  if (params.client_id !== client.clientId) return { status: 401, body: 'Error 401: invalid_client' };
  if (params.redirect_uri !== client.redirectUri) return { status: 400, body: 'Error 400: redirect_uri_mismatch' };
  const back = (extra: Record<string, string>) => {
    const url = new URL(client.redirectUri);
    for (const [k, v] of Object.entries({ ...extra, ...(params.state !== undefined ? { state: params.state } : {}) }))
      url.searchParams.set(k, v);
    return redirect(url.toString());
  };
  if (params.response_type !== 'code') return back({ error: 'unsupported_response_type' });
  if (scopes.length === 0 || scopes.some((s) => !KNOWN_SCOPES.includes(s))) return back({ error: 'invalid_scope' });
  const method = params.code_challenge_method ?? null;
  if (method !== null && method !== 'S256' && method !== 'plain') return back({ error: 'invalid_request' });
  if (method !== null && !/^[A-Za-z0-9._~-]{43,128}$/.test(params.code_challenge ?? ''))
    return back({ error: 'invalid_request' });

  const decision = state.decisions.shift() ?? { kind: 'approve' };
  if (decision.kind === 'deny') return back({ error: 'access_denied' });
  const account = decision.account ?? state.defaultAccount;
  const granted = scopes.filter((s) => SIGN_IN_SCOPES.includes(s) || !(decision.untick ?? []).includes(s));
  const grant = state.grantFor(account, client.clientId, granted);
  const code = token('4/0A');
  state.codes.set(code, {
    grantId: grant.id,
    clientId: client.clientId,
    redirectUri: params.redirect_uri,
    scopes: granted,
    codeChallenge: params.code_challenge ?? null,
    codeChallengeMethod: method,
    offline: params.access_type === 'offline',
    withRefreshToken: !decision.withoutRefreshToken,
    expiresAt: Date.now() + 10 * 60_000,
    used: false,
  });
  return back({ code, scope: granted.join(' '), authuser: '0', prompt: 'consent' });
}

function clientOf(
  form: URLSearchParams,
  authorization: string | undefined,
): { id: string | null; secret: string | null } {
  const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '');
  if (basic) {
    const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    return { id: decodeURIComponent(id ?? ''), secret: decodeURIComponent(secret ?? '') };
  }
  return { id: form.get('client_id'), secret: form.get('client_secret') };
}

export function tokenEndpoint(
  form: URLSearchParams,
  authorization: string | undefined,
  state: GoogleState,
  client: RegisteredClient,
): StandInResponse {
  const caller = clientOf(form, authorization);
  if (caller.id !== client.clientId || caller.secret !== client.clientSecret)
    return oauthError(401, 'invalid_client', 'Unauthorized');
  const grantType = form.get('grant_type');
  if (grantType === 'authorization_code') return exchange(form, state);
  if (grantType === 'refresh_token') {
    const grant = state.liveRefreshToken(form.get('refresh_token') ?? '');
    if (!grant) return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
    const scopes = [...grant.scopes];
    const access = state.issueAccessToken(grant.id, scopes);
    return json(200, {
      access_token: access.token,
      expires_in: access.expiresIn,
      scope: scopes.join(' '),
      token_type: 'Bearer',
    });
  }
  return oauthError(400, 'unsupported_grant_type', 'Invalid grant_type: ' + (grantType ?? ''));
}

function exchange(form: URLSearchParams, state: GoogleState): StandInResponse {
  const code = state.codes.get(form.get('code') ?? '');
  if (!code || code.used || code.expiresAt <= Date.now()) return oauthError(400, 'invalid_grant', 'Bad Request');
  if (form.get('redirect_uri') !== code.redirectUri) return oauthError(400, 'redirect_uri_mismatch', 'Bad Request');
  if (code.codeChallenge !== null) {
    const verifier = form.get('code_verifier');
    if (!verifier) return oauthError(400, 'invalid_grant', 'Missing code verifier.');
    const computed = code.codeChallengeMethod === 'S256' ? s256(verifier) : verifier;
    if (computed !== code.codeChallenge) return oauthError(400, 'invalid_grant', 'Invalid code verifier.');
  }
  code.used = true;
  const grant = state.grants.get(code.grantId)!;
  if (grant.revoked) return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
  const access = state.issueAccessToken(grant.id, code.scopes);
  const body: Record<string, unknown> = {
    access_token: access.token,
    expires_in: access.expiresIn,
    scope: code.scopes.join(' '),
    token_type: 'Bearer',
  };
  if (code.offline && code.withRefreshToken) {
    const refresh = token('1//0g');
    state.refreshTokens.set(refresh, grant.id);
    body.refresh_token = refresh;
  }
  if (code.scopes.includes('openid')) body.id_token = idToken(grant.account);
  return json(200, body);
}

/** Shaped like Google's ID token; the service does not rely on it (it asks userinfo). */
function idToken(account: string): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iss: 'https://accounts.google.com', email: account, sub: subOf(account) })}.c2lnbmF0dXJl`;
}

export const subOf = (account: string) =>
  createHash('sha256').update(account).digest('hex').slice(0, 21).replace(/[a-f]/g, '1');

export interface RevocationRecord {
  token: string;
  /** Google takes the token from the query string or the form body. */
  in: 'body' | 'query';
}

export function revokeEndpoint(
  query: URLSearchParams,
  form: URLSearchParams,
  state: GoogleState,
  log: RevocationRecord[],
): StandInResponse {
  const value = form.get('token') ?? query.get('token') ?? '';
  log.push({ token: value, in: form.has('token') ? 'body' : 'query' });
  if (!state.revokeToken(value)) return oauthError(400, 'invalid_token', 'Token expired or revoked');
  return json(200, {});
}

export function userinfoEndpoint(authorization: string | undefined, state: GoogleState): StandInResponse {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? null;
  const issued = state.liveAccessToken(bearer);
  if (!issued)
    return json(
      401,
      { error: 'invalid_request', error_description: 'Invalid Credentials' },
      { 'www-authenticate': 'Bearer error="invalid_token"' },
    );
  const account = state.grants.get(issued.grantId)!.account;
  return json(200, {
    sub: subOf(account),
    ...(issued.scopes.includes('email') ? { email: account, email_verified: true } : {}),
  });
}

export { json };
