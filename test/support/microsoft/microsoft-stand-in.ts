import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { standInCertificates } from './certs';

/**
 * A stand-in for the Microsoft identity platform v2.0 and Microsoft Graph on loopback, over HTTPS
 * with a throw-away CA, written from Microsoft's public documentation:
 * - `GET /{tenant}/oauth2/v2.0/authorize` (authorization code flow, PKCE S256 required, `state`
 *   and `nonce` echoed) — the user's decision is steered by the test;
 * - `POST /{tenant}/oauth2/v2.0/token` for `authorization_code` (code single-use, redirect URI and
 *   code_verifier checked) and `refresh_token`; errors as the platform answers them:
 *   `{ error, error_description: "AADSTSnnnn: …", error_codes: [nnnn], timestamp, trace_id, correlation_id }`;
 *   an ID token (with the nonce) and `client_info` as MSAL expects;
 * - the discovery documents (`/{tenant}/v2.0/.well-known/openid-configuration`,
 *   `/common/discovery/instance`), though the service gives MSAL its metadata and never asks;
 * - Graph `GET /v1.0/me` and `POST /v1.0/me/sendMail` (base64 MIME as text/plain → 202), recording
 *   each message with the account whose token sent it.
 */

export const MAIL_SEND = 'https://graph.microsoft.com/Mail.Send';
const DIRECTORY = '72f988bf-86f1-41af-91ab-2d7cd011db47';

export type ConsentDecision =
  { kind: 'grant'; account?: string; untick?: string[] } | { kind: 'deny' } | { kind: 'admin_consent_required' };

export interface GraphSentMessage {
  account: string;
  raw: Buffer;
  contentType: string | null;
}

export interface InjectedFailure {
  status: number;
  times: number;
  retryAfter?: number;
  body?: Record<string, unknown>;
}

export interface StandInRequest {
  method: string;
  url: string;
  authorization: string | null;
  body: string;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scopes: string[];
  nonce: string | null;
  account: string;
}

export class MicrosoftStandIn {
  readonly authorizationRequests: URLSearchParams[] = [];
  readonly tokenRequests: URLSearchParams[] = [];
  readonly sent: GraphSentMessage[] = [];
  readonly requests: StandInRequest[] = [];
  private decision: ConsentDecision = { kind: 'grant' };
  private readonly codes = new Map<string, IssuedCode>();
  /** refresh token → account and scopes; deleting an entry is "revoked at the provider". */
  private readonly refreshTokens = new Map<string, { account: string; scopes: string[] }>();
  private readonly accessTokens = new Map<string, string>();
  private readonly revokedAccounts = new Map<string, number>();
  private readonly failures = new Map<'token' | 'sendMail', InjectedFailure>();
  private readonly idTokenKey = randomBytes(32);
  /** Every token handed out, revoked ones included. */
  private readonly issued: string[] = [];
  private readonly delays = new Map<'token' | 'sendMail', number>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly client: { clientId: string; clientSecret: string; redirectUri: string },
    readonly defaultAccount: string,
  ) {}

  static async start(options: { redirectUri: string; account?: string }): Promise<MicrosoftStandIn> {
    const certs = standInCertificates();
    const server = createServer({ key: certs.key, cert: certs.cert });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const client = {
      clientId: '11111111-2222-3333-4444-555555555555',
      clientSecret: 'ms-stand-in~client~secret',
      redirectUri: options.redirectUri,
    };
    const ms = new MicrosoftStandIn(server, url, client, options.account ?? 'owner@contoso-mail.test');
    server.on('request', (req, res) => void ms.handle(req, res));
    return ms;
  }

  env(): Record<string, string> {
    return {
      MICROSOFT_CLIENT_ID: this.client.clientId,
      MICROSOFT_CLIENT_SECRET: this.client.clientSecret,
      MICROSOFT_REDIRECT_URI: this.client.redirectUri,
      MICROSOFT_AUTHORITY_URL: this.url,
      MICROSOFT_GRAPH_URL: this.url,
      MICROSOFT_EXTRA_CA_FILE: standInCertificates().caFile,
    };
  }

  /** What the user does on the next consent screen(s). */
  decide(decision: ConsentDecision): void {
    this.decision = decision;
  }

  /** The user withdrew consent (or reset their password): every refresh token of the account is dead. */
  revokeAt(account: string, aadsts = 50173): void {
    for (const [token, grant] of this.refreshTokens) if (grant.account === account) this.refreshTokens.delete(token);
    for (const [token, owner] of this.accessTokens) if (owner === account) this.accessTokens.delete(token);
    this.revokedAccounts.set(account, aadsts);
  }

  fail(endpoint: 'token' | 'sendMail', failure: InjectedFailure): void {
    this.failures.set(endpoint, failure);
  }

  /** Answers of this endpoint take this long from now on (0: at once). */
  slow(endpoint: 'token' | 'sendMail', delayMs: number): void {
    this.delays.set(endpoint, delayMs);
  }

  /** Every secret the stand-in handed out or received, to check none of them leaks. */
  secrets(): string[] {
    const out = new Set<string>([this.client.clientSecret, ...this.issued]);
    for (const r of this.tokenRequests) {
      for (const k of ['code', 'code_verifier', 'refresh_token', 'client_secret']) {
        const v = r.get(k);
        if (v) out.add(v);
      }
    }
    return [...out];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    this.requests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization ?? null, body });
    const url = new URL(req.url!, this.url);
    const path = url.pathname;
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && (m = /^\/([^/]+)\/oauth2\/v2\.0\/authorize$/.exec(path))) {
      return this.authorize(url.searchParams, res);
    }
    if (req.method === 'POST' && (m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path))) {
      await sleep(this.delays.get('token') ?? 0);
      return this.token(new URLSearchParams(body), res);
    }
    if (req.method === 'GET' && (m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path))) {
      const root = `${this.url}${m[1]}`;
      return json(res, 200, {
        authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
        token_endpoint: `${root}/oauth2/v2.0/token`,
        issuer: `${this.url}{tenantid}/v2.0`,
        jwks_uri: `${root}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      });
    }
    if (req.method === 'GET' && path === '/common/discovery/instance') {
      const host = new URL(this.url).host;
      return json(res, 200, {
        tenant_discovery_endpoint: `${this.url}common/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      });
    }
    if (path === '/v1.0/me' && req.method === 'GET') {
      const account = this.bearer(req);
      if (!account) return graphError(res, 401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.');
      return json(res, 200, { mail: account, userPrincipalName: account });
    }
    if (path === '/v1.0/me/sendMail' && req.method === 'POST') {
      await sleep(this.delays.get('sendMail') ?? 0);
      return this.sendMail(req, body, res);
    }
    json(res, 404, { error: 'not_found' });
  }

  private authorize(q: URLSearchParams, res: ServerResponse): void {
    this.authorizationRequests.push(q);
    const redirectUri = q.get('redirect_uri') ?? '';
    if (q.get('client_id') !== this.client.clientId || redirectUri !== this.client.redirectUri) {
      return json(
        res,
        400,
        aadError('invalid_request', 50011, 'The redirect URI specified in the request does not match'),
      );
    }
    const back = new URL(redirectUri);
    const state = q.get('state');
    if (state !== null) back.searchParams.set('state', state);
    if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
      back.searchParams.set('error', 'invalid_request');
      back.searchParams.set('error_description', 'AADSTS9002325: Proof Key for Code Exchange is required');
      return redirect(res, back);
    }
    const decision = this.decision;
    if (decision.kind === 'deny') {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
      return redirect(res, back);
    }
    if (decision.kind === 'admin_consent_required') {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set(
        'error_description',
        'AADSTS90094: The grant requires admin permission. Trace ID: 0 Correlation ID: 0 Timestamp: 2026-12-03',
      );
      return redirect(res, back);
    }
    const requested = (q.get('scope') ?? '').split(' ').filter(Boolean);
    const scopes = requested.filter((s) => !(decision.untick ?? []).includes(s));
    const code = `M.C${randomBytes(24).toString('base64url')}`;
    this.codes.set(code, {
      clientId: this.client.clientId,
      redirectUri,
      challenge: q.get('code_challenge')!,
      scopes,
      nonce: q.get('nonce'),
      account: decision.account ?? this.defaultAccount,
    });
    back.searchParams.set('code', code);
    redirect(res, back);
  }

  private token(form: URLSearchParams, res: ServerResponse): void {
    this.tokenRequests.push(form);
    const injected = this.failures.get('token');
    if (injected && injected.times > 0) {
      injected.times--;
      if (injected.retryAfter !== undefined) res.setHeader('Retry-After', String(injected.retryAfter));
      return json(res, injected.status, injected.body ?? aadError('temporarily_unavailable', 50196, 'Busy'));
    }
    if (form.get('client_id') !== this.client.clientId || form.get('client_secret') !== this.client.clientSecret) {
      return json(res, 401, aadError('invalid_client', 7000215, 'Invalid client secret provided.'));
    }
    if (form.get('grant_type') === 'authorization_code') {
      const code = form.get('code') ?? '';
      const issued = this.codes.get(code);
      this.codes.delete(code);
      if (!issued)
        return json(res, 400, aadError('invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed'));
      if (form.get('redirect_uri') !== issued.redirectUri) {
        return json(res, 400, aadError('invalid_grant', 50148, 'The redirect_uri does not match'));
      }
      const challenge = createHash('sha256')
        .update(form.get('code_verifier') ?? '')
        .digest('base64url');
      if (challenge !== issued.challenge) {
        return json(res, 400, aadError('invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge'));
      }
      return json(res, 200, this.tokens(issued.account, issued.scopes, issued.nonce));
    }
    if (form.get('grant_type') === 'refresh_token') {
      const grant = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (!grant) {
        const aadsts = [...this.revokedAccounts.values()].at(-1) ?? 70008;
        return json(res, 400, aadError('invalid_grant', aadsts, revokedDescription(aadsts)));
      }
      return json(res, 200, this.tokens(grant.account, grant.scopes, null, false));
    }
    json(res, 400, aadError('unsupported_grant_type', 70003, 'The app requested an unsupported grant type'));
  }

  private tokens(account: string, scopes: string[], nonce: string | null, withRefresh = true): Record<string, unknown> {
    const accessToken = `eyJ0eXAi.${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(accessToken, account);
    this.issued.push(accessToken);
    const oid = createHash('sha256').update(account).digest('hex').slice(0, 32);
    const uid = `${oid.slice(0, 8)}-${oid.slice(8, 12)}-${oid.slice(12, 16)}-${oid.slice(16, 20)}-${oid.slice(20)}`;
    const now = Math.floor(Date.now() / 1000);
    const answer: Record<string, unknown> = {
      token_type: 'Bearer',
      // The platform lists the resource's permissions; OpenID scopes shape the ID token.
      scope: scopes.filter((s) => s !== 'offline_access').join(' '),
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: accessToken,
      client_info: Buffer.from(JSON.stringify({ uid, utid: DIRECTORY })).toString('base64url'),
    };
    if (withRefresh && scopes.includes('offline_access')) {
      const refresh = `M.R3_${randomBytes(32).toString('base64url')}`;
      this.refreshTokens.set(refresh, { account, scopes });
      this.issued.push(refresh);
      answer.refresh_token = refresh;
    }
    if (withRefresh && scopes.includes('openid')) {
      answer.id_token = this.idToken({
        aud: this.client.clientId,
        iss: `${this.url}${DIRECTORY}/v2.0`,
        iat: now,
        nbf: now,
        exp: now + 3600,
        ...(scopes.includes('email') ? { email: account } : {}),
        name: 'Mailbox Owner',
        ...(nonce ? { nonce } : {}),
        oid: uid,
        preferred_username: account,
        sub: createHash('sha256').update(`sub:${account}`).digest('base64url').slice(0, 43),
        tid: DIRECTORY,
        ver: '2.0',
      });
    }
    return answer;
  }

  private idToken(claims: Record<string, unknown>): string {
    const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${part({ typ: 'JWT', alg: 'HS256' })}.${part(claims)}`;
    return `${unsigned}.${createHmac('sha256', this.idTokenKey).update(unsigned).digest('base64url')}`;
  }

  private bearer(req: IncomingMessage): string | null {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    return (token && this.accessTokens.get(token)) ?? null;
  }

  private sendMail(req: IncomingMessage, body: string, res: ServerResponse): void {
    const account = this.bearer(req);
    if (!account)
      return graphError(res, 401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
    const injected = this.failures.get('sendMail');
    if (injected && injected.times > 0) {
      injected.times--;
      if (injected.retryAfter !== undefined) res.setHeader('Retry-After', String(injected.retryAfter));
      return graphError(
        res,
        injected.status,
        'ApplicationThrottled',
        'Application is over its MailboxConcurrency limit.',
      );
    }
    const contentType = req.headers['content-type'] ?? null;
    if (!contentType?.startsWith('text/plain')) {
      return graphError(res, 400, 'ErrorMimeContentInvalid', 'Content-Type must be text/plain for MIME content');
    }
    const raw = Buffer.from(body, 'base64');
    this.sent.push({ account, raw, contentType });
    res.writeHead(202).end();
  }
}

function aadError(error: string, code: number, text: string): Record<string, unknown> {
  const id = randomUUID();
  return {
    error,
    error_description: `AADSTS${code}: ${text} Trace ID: ${id} Correlation ID: ${id} Timestamp: ${new Date().toISOString()}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: id,
    correlation_id: id,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}

function revokedDescription(code: number): string {
  switch (code) {
    case 50173:
      return 'The provided grant has expired due to it being revoked, a fresh auth token is needed.';
    case 700082:
      return 'The refresh token has expired due to inactivity.';
    case 50076:
      return 'Due to a configuration change made by your administrator, you must use multi-factor authentication.';
    default:
      return 'The provided authorization code or refresh token has expired or been revoked.';
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function graphError(res: ServerResponse, status: number, code: string, message: string): void {
  json(res, status, { error: { code, message, innerError: { date: new Date().toISOString() } } });
}

function redirect(res: ServerResponse, to: URL): void {
  res.writeHead(302, { location: to.toString() }).end();
}
