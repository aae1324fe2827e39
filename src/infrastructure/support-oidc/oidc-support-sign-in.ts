import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { type BaseClient, custom, generators, type HttpOptions, Issuer, Strategy, type TokenSet } from 'openid-client';
import { Passport, type PassportStatic } from 'passport';
import { type SupportOidcConfig } from '../../application/app-config';
import { type OidcTransaction, OidcTransactionSeal } from './oidc-transaction';

const STRATEGY = 'support-oidc';
/** Where the strategy keeps the transaction on the request; we carry it in a sealed cookie instead. */
const SESSION_KEY = 'oidc:support';

export interface OidcSignInOptions {
  /** Per request to the provider (discovery, keys, code exchange, userinfo); default 5 s. */
  timeoutMs?: number;
}

/** The start of a sign-in: where to send the browser, and the sealed cookie it must bring back. */
export interface OidcSignInStarted {
  authorizationUrl: string;
  transaction: string;
}

/** How a sign-in ended, in words the page can show (never the provider's raw message). */
export type OidcSignInOutcome =
  | { outcome: 'signed_in'; email: string }
  | { outcome: 'refused'; account: string; reason: string }
  | { outcome: 'failed'; reason: string };

type Verdict = { email: string } | [false, { refused: string; account: string }];

/** Every configured list must be passed; a missing or unverified email is no identity. */
export function admit(config: SupportOidcConfig, claims: Record<string, unknown>): Verdict {
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  const account = email || (typeof claims.sub === 'string' ? claims.sub : 'this account');
  if (!email.includes('@') || claims.email_verified === false) {
    return [false, { account, refused: 'the provider did not give a verified email address for it' }];
  }
  if (config.allowedDomains.length > 0 && !config.allowedDomains.includes(email.slice(email.lastIndexOf('@') + 1))) {
    return [false, { account, refused: 'its email domain is not one allowed to use the support dashboard' }];
  }
  if (config.allowedGroups.length > 0) {
    const groups = Array.isArray(claims.groups) ? claims.groups.filter((g) => typeof g === 'string') : [];
    if (!groups.some((g) => config.allowedGroups.includes(g))) {
      return [false, { account, refused: 'it is not in a group allowed to use the support dashboard' }];
    }
  }
  return { email };
}

const SAFE_CODE = /^[a-z][a-z0-9_]{0,63}$/;

/** What went wrong, in words: the provider's error code (OAuth codes are a fixed vocabulary), or the stage. */
function failureOf(error: unknown): string {
  const e = error as { name?: unknown; error?: unknown; code?: unknown };
  if (e?.name === 'OPError' && typeof e.error === 'string' && SAFE_CODE.test(e.error)) {
    return `the provider answered ${e.error}`;
  }
  if (e?.name === 'RPError') return 'the provider’s answer did not check out (state, nonce, ID token)';
  if (typeof e?.code === 'string' && /^E[A-Z_]{1,30}$/.test(e.code))
    return `the provider could not be reached (${e.code})`;
  return 'the provider’s answer could not be verified';
}

/** The `session` openid-client's strategy wants, for one request: filled at the start, read at the callback. */
type WithSession = Request & { session?: Record<string, unknown> };

function supportStrategy(passport: PassportStatic, client: BaseClient, config: SupportOidcConfig) {
  class SupportOidcStrategy extends PassportStrategy(Strategy, STRATEGY, true) {
    constructor() {
      super({
        client,
        sessionKey: SESSION_KEY,
        usePKCE: 'S256',
        params: { scope: 'openid email profile', redirect_uri: config.redirectUri, response_type: 'code' },
      });
    }

    getPassportInstance(): PassportStatic {
      return passport;
    }

    /** The ID token's claims, completed from userinfo when the provider releases email or groups only there. */
    async validate(tokenset: TokenSet): Promise<Verdict> {
      let claims: Record<string, unknown> = { ...tokenset.claims() };
      const needsGroups = config.allowedGroups.length > 0 && !Array.isArray(claims.groups);
      if ((typeof claims.email !== 'string' || needsGroups) && client.issuer.metadata.userinfo_endpoint) {
        // openid-client checks that userinfo's sub is the ID token's.
        claims = { ...claims, ...(await client.userinfo(tokenset)) };
      }
      return admit(config, claims);
    }
  }
  return new SupportOidcStrategy();
}

/**
 * Support staff's company sign-in: openid-client's passport strategy (authorization code with
 * PKCE S256, state and nonce, ID token validated against the provider's keys) on a Passport
 * instance of its own. The provider is discovered at the first sign-in, not at start-up, so an
 * unreachable provider costs company sign-in only (retried at the next attempt), never the service.
 */
export class OidcSupportSignIn {
  private readonly passport = new Passport() as unknown as PassportStatic;
  private readonly seal: OidcTransactionSeal;
  private strategy: Promise<Strategy<Verdict>> | null = null;

  constructor(
    readonly config: SupportOidcConfig,
    private readonly options: OidcSignInOptions = {},
  ) {
    this.seal = new OidcTransactionSeal(config.clientSecret);
  }

  async begin(): Promise<OidcSignInStarted> {
    const strategy = await this.discovered();
    const req = { query: {}, body: {}, method: 'GET', url: '/', session: {} } as unknown as WithSession;
    const authorizationUrl = await new Promise<string>((resolve, reject) => {
      const attempt = Object.create(strategy) as Strategy<Verdict>;
      attempt.redirect = (url: string) => resolve(url);
      attempt.error = (error: Error) => reject(error);
      attempt.fail = attempt.success = attempt.pass = () => reject(new Error('the sign-in did not start'));
      // The strategy draws a nonce only for implicit flows; the ID token of a code flow is bound to one too.
      attempt.authenticate(req, { nonce: generators.nonce() });
    });
    return { authorizationUrl, transaction: this.seal.seal(req.session![SESSION_KEY] as OidcTransaction) };
  }

  /** The browser back from the provider, with the sealed transaction its cookie carried (or null). */
  async complete(req: Request, sealed: string | null): Promise<OidcSignInOutcome> {
    const transaction = this.seal.open(sealed);
    if (!transaction)
      return { outcome: 'failed', reason: 'the sign-in was not started in this browser or took too long' };
    const error = typeof req.query.error === 'string' ? req.query.error : null;
    if (error) {
      return {
        outcome: 'failed',
        reason: error === 'access_denied' ? 'the sign-in was cancelled' : 'the provider refused the sign-in',
      };
    }
    let strategy: Strategy<Verdict>;
    try {
      strategy = await this.discovered();
    } catch {
      return { outcome: 'failed', reason: 'the company sign-in provider cannot be reached' };
    }
    (req as WithSession).session = { [SESSION_KEY]: transaction };
    return new Promise((resolve) => {
      const attempt = Object.create(strategy) as Strategy<Verdict>;
      attempt.success = (user: { email: string }) => resolve({ outcome: 'signed_in', email: user.email });
      attempt.fail = (info: unknown) => {
        const refusal = info as { refused?: string; account?: string };
        resolve(
          refusal?.refused
            ? { outcome: 'refused', account: refusal.account ?? 'this account', reason: refusal.refused }
            : { outcome: 'failed', reason: failureOf(info) },
        );
      };
      // The page and the log get a stable word for what failed, never the provider's message (it may echo a code).
      attempt.error = (error: Error) => resolve({ outcome: 'failed', reason: failureOf(error) });
      attempt.redirect = attempt.pass = () => resolve({ outcome: 'failed', reason: 'the provider sent back no code' });
      attempt.authenticate(req);
    });
  }

  private discovered(): Promise<Strategy<Verdict>> {
    this.strategy ??= this.discover().catch((error: unknown) => {
      this.strategy = null;
      throw error;
    });
    return this.strategy;
  }

  private async discover(): Promise<Strategy<Verdict>> {
    const timeout = this.options.timeoutMs ?? 5_000;
    const withTimeout = (_url: URL, options: HttpOptions): HttpOptions => ({ ...options, timeout });
    // A subclass, so the timeout applies to this provider's requests and not to every openid-client user.
    class SupportIssuer extends Issuer {}
    (SupportIssuer as unknown as Record<symbol, unknown>)[custom.http_options] = withTimeout;
    const issuer = await SupportIssuer.discover(this.config.issuer);
    issuer[custom.http_options] = withTimeout;
    const client = new issuer.Client({
      client_id: this.config.clientId,
      client_secret: this.config.clientSecret,
      redirect_uris: [this.config.redirectUri],
      response_types: ['code'],
    });
    client[custom.http_options] = withTimeout;
    return supportStrategy(this.passport, client, this.config) as unknown as Strategy<Verdict>;
  }
}
