import { type ClientRequest, type RequestOptions } from 'node:http';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Passport, type PassportStatic } from 'passport';
import { type Profile, Strategy as GoogleStrategy } from 'passport-google-oauth20';
import { type StateStore } from 'passport-oauth2';
import { type GoogleOAuthConfig } from '../../application/app-config';
import {
  type ConsentReturn,
  type ConsentStarted,
  GMAIL_REQUESTED_SCOPES,
  type GoogleConsent,
  type GoogleGrant,
} from '../../application/ports/google-oauth.port';
import {
  type OAuthStateBinding,
  type OAuthStateRefusal,
  type OAuthStateStore,
} from '../../application/ports/oauth-state.port';
import { networkReason } from './google-errors';

export interface GoogleConsentEndpoints {
  authUrl: string;
  tokenUrl: string;
  userinfoUrl: string;
}

export interface GoogleConsentOptions {
  /**
   * Per request to Google (code exchange, userinfo); default 4 s, so a callback whose Google
   * stalls still ends within 10 s. node-oauth itself waits forever.
   */
  deadlineMs?: number;
}

const STRATEGY = 'google-gmail-consent';
const SAFE_CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** What the state store learnt about one request: the issued state's expiry, the spent state's binding. */
interface Progress {
  issued?: { state: string; expiresAt: Date };
  binding?: OAuthStateBinding;
  /** The cookie secret the browser brought to the callback (the state may be bound to it). */
  browserSecret?: string | null;
}

/** Why passport failed a request, in our words (passport hands it back as the `info`/challenge). */
type Failure =
  | { outcome: 'state_refused'; reason: OAuthStateRefusal; returnUrl: string | null }
  | { outcome: 'denied' }
  | { outcome: 'failed'; why: string };

type VerifyDone = (error: Error | null, verifier?: string | false, info?: OAuthStateBinding | Failure) => void;

/**
 * passport-oauth2's state store (its PKCE form) over our signed, single-use, tenant-bound state:
 * no session; the verifier passport draws is handed to the state store, which keeps it sealed
 * until the callback spends the state.
 */
class SignedStatePassportStore {
  constructor(
    private readonly states: OAuthStateStore,
    private readonly progress: WeakMap<object, Progress>,
  ) {}

  // Five parameters: passport-oauth2 tells a PKCE-aware store by this arity.
  store(
    req: object,
    verifier: string,
    binding: OAuthStateBinding,
    _meta: unknown,
    done: (e: Error | null, state?: string) => void,
  ) {
    this.states.issue(binding, verifier).then(
      (issued) => {
        this.progress.set(req, { issued });
        done(null, issued.state);
      },
      (error: Error) => done(error),
    );
  }

  verify(req: object, providedState: unknown, done: VerifyDone): void {
    const browserSecret = this.progress.get(req)?.browserSecret ?? null;
    this.states.consume(typeof providedState === 'string' ? providedState : '', browserSecret).then(
      (consumed) => {
        if (!consumed.ok) {
          done(null, false, { outcome: 'state_refused', reason: consumed.reason, returnUrl: consumed.returnUrl });
          return;
        }
        this.progress.set(req, { binding: consumed.binding });
        done(null, consumed.codeVerifier, consumed.binding);
      },
      (error: Error) => done(error),
    );
  }
}

class DeadlineExceeded extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

type Execute = (
  library: { request(options: RequestOptions): ClientRequest },
  options: RequestOptions,
  body: unknown,
  callback: (...args: unknown[]) => void,
) => void;

/**
 * node-oauth sets no timeout: every request it makes (the code exchange, the userinfo GET) gets
 * a deadline after which the socket is aborted and the caller told, once.
 */
function withDeadline(oauth2: object, ms: number): void {
  const internals = oauth2 as { _executeRequest: Execute };
  const execute = internals._executeRequest.bind(oauth2);
  internals._executeRequest = (library, options, body, callback) => {
    const abort = new AbortController();
    let settled = false;
    const settle = (...args: unknown[]) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      callback(...args);
    };
    const timer = setTimeout(() => {
      settle(new DeadlineExceeded(ms));
      abort.abort();
    }, ms);
    execute(library, { ...options, signal: abort.signal }, body, settle);
  };
}

function consentStrategy(
  passport: PassportStatic,
  config: GoogleOAuthConfig,
  endpoints: GoogleConsentEndpoints,
  store: SignedStatePassportStore,
  deadlineMs: number,
) {
  class GoogleConsentStrategy extends PassportStrategy(GoogleStrategy, STRATEGY, true) {
    constructor() {
      super({
        clientID: config.clientId,
        clientSecret: config.clientSecret,
        callbackURL: config.redirectUri,
        authorizationURL: endpoints.authUrl,
        tokenURL: endpoints.tokenUrl,
        userProfileURL: endpoints.userinfoUrl,
        scope: [...GMAIL_REQUESTED_SCOPES],
        pkce: true,
        store: store as unknown as StateStore,
        passReqToCallback: true,
      });
      // Otherwise node-oauth puts the access token in the userinfo URL's query string.
      this._oauth2.useAuthorizationHeaderforGET(true);
      withDeadline(this._oauth2, deadlineMs);
    }

    getPassportInstance(): PassportStatic {
      return passport;
    }

    /**
     * passport-oauth2 reports Google's `error` before it looks at the state, and starts a new
     * consent when neither a code nor an error came back. At our callback the state is spent
     * first in every case, so the browser goes back to its returnUrl and the state cannot serve
     * again; only then is the denial or error reported.
     */
    authenticate(req: Request, options: { state?: unknown } = {}): void {
      const query = (req.query ?? {}) as Record<string, unknown>;
      if (options.state !== undefined || typeof query.code === 'string') {
        super.authenticate(req, options);
        return;
      }
      store.verify(req, query.state, (error, verifier, info) => {
        if (error) return this.error(error);
        if (!verifier) return this.fail(info, 403);
        const code = typeof query.error === 'string' && SAFE_CODE.test(query.error) ? query.error : null;
        const failure: Failure =
          code === 'access_denied'
            ? { outcome: 'denied' }
            : { outcome: 'failed', why: code ? `Google answered ${code}` : 'Google sent back no code' };
        this.fail(failure);
      });
    }

    validate(
      _req: Request,
      accessToken: string,
      refreshToken: string | undefined,
      params: { scope?: unknown },
      profile: Profile,
    ): GoogleGrant | [false, Failure] {
      const email = profile.emails?.[0];
      if (typeof email?.value !== 'string' || !email.value.includes('@') || (email.verified as unknown) === false) {
        return [false, { outcome: 'failed', why: 'Google’s userinfo did not name a verified email address' }];
      }
      return {
        account: email.value.toLowerCase(),
        // What the token answer says was granted: granular consent lets the user untick gmail.send.
        grantedScopes: typeof params.scope === 'string' ? params.scope.split(' ').filter(Boolean) : [],
        refreshToken: refreshToken || null,
        accessToken,
      };
    }
  }
  return new GoogleConsentStrategy();
}

/**
 * The consent round trip through passport-google-oauth20, on a Passport instance of its own (the
 * global one is keyed by name, and two services in one process would share a strategy). The
 * strategy draws the PKCE verifier, builds the consent URL and, at the callback, exchanges the
 * code and reads userinfo; the signed state store underneath keeps it session-less.
 */
export class PassportGoogleConsent implements GoogleConsent {
  private readonly passport = new Passport() as unknown as PassportStatic;
  private readonly progress = new WeakMap<object, Progress>();
  private readonly strategy: GoogleStrategy;

  constructor(
    config: GoogleOAuthConfig,
    endpoints: GoogleConsentEndpoints,
    states: OAuthStateStore,
    options: GoogleConsentOptions = {},
  ) {
    const store = new SignedStatePassportStore(states, this.progress);
    this.strategy = consentStrategy(this.passport, config, endpoints, store, options.deadlineMs ?? 4_000);
  }

  /**
   * The JSON answer of POST …/gmail/authorizations comes from the same strategy as the browser
   * flow: it runs as for a redirect, and the redirect is captured instead of sent.
   */
  begin(binding: OAuthStateBinding): Promise<ConsentStarted> {
    const req = { query: {}, body: {} };
    return new Promise((resolve, reject) => {
      const attempt = Object.create(this.strategy) as GoogleStrategy & Record<string, unknown>;
      attempt.redirect = (authorizationUrl: string) => {
        const issued = this.progress.get(req)?.issued;
        if (issued) resolve({ authorizationUrl, expiresAt: issued.expiresAt, state: issued.state });
        else reject(new Error('the consent URL came without an issued state'));
      };
      attempt.error = (error: Error) => reject(error);
      attempt.fail = attempt.success = attempt.pass = () => reject(new Error('the consent did not start'));
      attempt.authenticate(req as unknown as Request, { state: binding, accessType: 'offline', prompt: 'consent' });
    });
  }

  /**
   * The browser back from Google at the redirect URI, with the cookie secret it brought (a state
   * bound to another browser is refused). Anything the store could not do (the event store
   * unavailable) is thrown; anything Google did is an outcome.
   */
  complete(req: Request, browserSecret: string | null = null): Promise<ConsentReturn> {
    this.progress.set(req, { browserSecret });
    return new Promise((resolve, reject) => {
      const done = (error: unknown, grant: GoogleGrant | false, info: unknown) => {
        const binding = this.progress.get(req)?.binding;
        if (error) {
          if (binding) resolve({ outcome: 'failed', binding, why: describe(error) });
          else reject(error as Error);
          return;
        }
        if (grant) {
          if (binding) resolve({ outcome: 'granted', binding, grant });
          else reject(new Error('a grant without a spent state'));
          return;
        }
        const failure = info as Failure;
        if (failure.outcome === 'state_refused') resolve(failure);
        else if (!binding) reject(new Error('a consent outcome without a spent state'));
        else resolve(failure.outcome === 'denied' ? { outcome: 'denied', binding } : { ...failure, binding });
      };
      const middleware = this.passport.authenticate(STRATEGY, { session: false }, done) as (
        req: Request,
        res: unknown,
        next: (error?: unknown) => void,
      ) => void;
      middleware(req, {}, (error) => reject(error ?? new Error('passport passed the consent callback on')));
    });
  }
}

/** What failed, for the log: the stage and Google's code or status, never its message (it may echo a token). */
function describe(error: unknown): string {
  const e = error as { name?: unknown; message?: unknown; code?: unknown; oauthError?: unknown };
  const stage =
    e.name === 'TokenError' || (typeof e.message === 'string' && e.message.includes('access token'))
      ? 'token exchange'
      : 'userinfo request';
  const status = (e.oauthError as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status === 'number') return `Google answered ${status} to the ${stage}`;
  if (typeof e.code === 'string' && SAFE_CODE.test(e.code)) return `Google refused the ${stage} (${e.code})`;
  return `Google’s ${stage} failed: ${networkReason(e.oauthError ?? error)}`;
}
