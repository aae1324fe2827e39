import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gmailSend, type GmailSentMessage } from './gmail-endpoint';
import { type ConsentDecision, type Endpoint, GoogleState, type InjectedFailure } from './google-state';
import {
  authorize,
  type AuthorizationRequestRecord,
  json,
  type RegisteredClient,
  type RevocationRecord,
  revokeEndpoint,
  type StandInResponse,
  tokenEndpoint,
  userinfoEndpoint,
} from './oauth-endpoints';

export interface TokenRequestRecord {
  grantType: string | null;
  /** The PKCE verifier the client presented (a secret of the client, kept to check it never leaks). */
  codeVerifier: string | null;
  /** Which client library asked: node-oauth (passport) says `Node-oauth`, gaxios names itself. */
  userAgent: string | null;
  /** The form's field names in the order sent: each library has its own. */
  fields: string[];
  at: number;
}

export interface RequestRecord {
  method: string;
  /** Path and query exactly as received. */
  url: string;
  authorization: string | null;
}

/**
 * A stand-in for Google on loopback: accounts.google.com's authorization endpoint, the
 * oauth2.googleapis.com token and revoke endpoints, OpenID userinfo and the Gmail API's
 * messages.send. Tests steer the user's consent and inject failures, and read back what the
 * service asked for and sent.
 */
export class GoogleStandIn {
  readonly state: GoogleState;
  readonly authorizationRequests: AuthorizationRequestRecord[] = [];
  readonly tokenRequests: TokenRequestRecord[] = [];
  readonly revocations: RevocationRecord[] = [];
  readonly sent: GmailSentMessage[] = [];
  /** Every request the stand-in received, in order. */
  readonly requests: RequestRecord[] = [];
  private readonly stalled = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly client: RegisteredClient,
    defaultAccount: string,
  ) {
    this.state = new GoogleState(defaultAccount);
  }

  static async start(options: {
    redirectUri: string;
    account?: string;
    clientId?: string;
    clientSecret?: string;
  }): Promise<GoogleStandIn> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = {
      clientId: options.clientId ?? 'test-client.apps.googleusercontent.com',
      clientSecret: options.clientSecret ?? 'GOCSPX-stand-in-secret',
      redirectUri: options.redirectUri,
    };
    const google = new GoogleStandIn(server, url, client, options.account ?? 'owner@acme-mail.test');
    server.on('request', (req, res) => void google.handle(req, res));
    return google;
  }

  /** The service's environment pointing at this stand-in. */
  env(): Record<string, string> {
    return {
      GOOGLE_CLIENT_ID: this.client.clientId,
      GOOGLE_CLIENT_SECRET: this.client.clientSecret,
      GOOGLE_REDIRECT_URI: this.client.redirectUri,
      GOOGLE_AUTH_URL: `${this.url}/o/oauth2/v2/auth`,
      GOOGLE_TOKEN_URL: `${this.url}/token`,
      GOOGLE_REVOKE_URL: `${this.url}/revoke`,
      GOOGLE_USERINFO_URL: `${this.url}/v1/userinfo`,
      GMAIL_API_URL: `${this.url}/`,
    };
  }

  /** How the user answers the next consent screen (queued; unqueued screens approve). */
  nextConsent(decision: ConsentDecision): void {
    this.state.decisions.push(decision);
  }

  /** The user removes the app's access from their Google account. */
  revokeAccess(account = this.state.defaultAccount): number {
    return this.state.revokeAccount(account);
  }

  /** `refresh` is the token endpoint with grant_type=refresh_token; `token` is any token request. */
  fail(endpoint: Endpoint, failure: Partial<InjectedFailure> = {}): void {
    const queue = this.state.failures.get(endpoint) ?? [];
    queue.push({ status: 503, times: 1, ...failure });
    this.state.failures.set(endpoint, queue);
  }

  set accessTokenTtlSeconds(seconds: number) {
    this.state.accessTokenTtlSeconds = seconds;
  }

  refreshRequests(): number {
    return this.tokenRequests.filter((r) => r.grantType === 'refresh_token').length;
  }

  /** Every token, code and secret the stand-in ever handed out: none may leak anywhere. */
  issuedSecrets(): string[] {
    return [
      ...this.state.codes.keys(),
      ...this.state.refreshTokens.keys(),
      ...this.state.accessTokens.keys(),
      this.client.clientSecret,
    ];
  }

  /** The states and PKCE verifiers the service sent: they stay out of logs and storage too. */
  clientSecrets(): string[] {
    const states = this.authorizationRequests.map((r) => r.params.state).filter((s): s is string => !!s);
    const verifiers = this.tokenRequests.map((r) => r.codeVerifier).filter((v): v is string => !!v);
    return [...states, ...verifiers];
  }

  close(): Promise<void> {
    this.stalled.forEach((res) => res.destroy());
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await readBody(req);
    const form = new URLSearchParams(/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '') ? body : '');
    const authorization = req.headers.authorization;
    const route = `${req.method} ${url.pathname}`;
    this.requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: authorization ?? null });
    let answer: StandInResponse | typeof STALL;
    if (route === 'GET /o/oauth2/v2/auth') {
      answer = authorize(url.searchParams, this.state, this.client, this.authorizationRequests);
    } else if (route === 'POST /token') {
      const grantType = form.get('grant_type');
      this.tokenRequests.push({
        grantType,
        codeVerifier: form.get('code_verifier'),
        userAgent: req.headers['user-agent'] ?? null,
        fields: [...form.keys()],
        at: Date.now(),
      });
      answer =
        (await this.injected('token')) ??
        (grantType === 'refresh_token' ? await this.injected('refresh') : null) ??
        tokenEndpoint(form, authorization, this.state, this.client);
    } else if (route === 'POST /revoke') {
      answer = (await this.injected('revoke')) ?? revokeEndpoint(url.searchParams, form, this.state, this.revocations);
    } else if (route === 'GET /v1/userinfo') {
      answer = (await this.injected('userinfo')) ?? userinfoEndpoint(authorization, this.state);
    } else if (route === 'POST /gmail/v1/users/me/messages/send') {
      answer = (await this.injected('gmail')) ?? (await gmailSend(authorization, body, this.state, this.sent));
    } else {
      answer = json(404, { error: { code: 404, message: 'Not Found', status: 'NOT_FOUND' } });
    }
    if (answer === STALL) {
      // Never answers: the connection stays open until the client gives up or the stand-in closes.
      this.stalled.add(res);
      res.on('close', () => this.stalled.delete(res));
      return;
    }
    if (res.destroyed) return;
    const payload =
      answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, answer.headers ?? { 'content-type': 'text/plain; charset=utf-8' });
    res.end(payload);
  }

  private async injected(endpoint: Endpoint): Promise<StandInResponse | typeof STALL | null> {
    const failure = this.state.takeFailure(endpoint);
    if (!failure) return null;
    if (failure.stall) return STALL;
    if (failure.delayMs) await sleep(failure.delayMs);
    if (failure.status === undefined) return null;
    const headers: Record<string, string> =
      failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {};
    if (endpoint === 'gmail') {
      const status = failure.status;
      const reason = status === 429 ? 'rateLimitExceeded' : 'backendError';
      return json(
        status,
        { error: { code: status, message: 'Injected failure', errors: [{ reason }], status: 'UNAVAILABLE' } },
        headers,
      );
    }
    return json(failure.status, { error: 'internal_failure', error_description: 'Injected failure' }, headers);
  }
}

const STALL = Symbol('stall');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
