/**
 * The `state` of the OAuth round trip: signed, bound to a tenant and a return URL, valid for a
 * short time and usable once, across restarts and across instances sharing a store. It also
 * keeps the round trip's PKCE verifier, sealed, until the callback needs it.
 */
export const OAUTH_STATE_STORE = Symbol('OAUTH_STATE_STORE');

/** How long a consent URL stays usable. */
export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

/** What a state stands for; comes back intact from consume(). */
export interface OAuthStateBinding {
  tenantId: string;
  returnUrl: string;
  /** Who started the authorization (X-Actor): the actor of the events the callback records. */
  actor: string;
  /** Correlation id of the request that started it: the causation of those events. */
  correlationId: string;
}

export interface IssuedOAuthState {
  state: string;
  expiresAt: Date;
}

export type OAuthStateRefusal =
  /** Not a state this service could have issued (garbage, wrong signature, unknown, another binding). */
  | 'invalid'
  | 'expired'
  /** Already consumed once. */
  | 'replayed';

export type ConsumedOAuthState =
  | { ok: true; binding: OAuthStateBinding; codeVerifier: string }
  /** `returnUrl` only when the state is authentic, so a forged one cannot choose the redirect. */
  | { ok: false; reason: OAuthStateRefusal; returnUrl: string | null };

export interface OAuthStateStore {
  /**
   * A state for this binding. `codeVerifier` is the round trip's PKCE verifier (RFC 7636 characters,
   * 43 to 128 of them): kept sealed, never in the state itself, and handed back by consume() only.
   */
  issue(binding: OAuthStateBinding, codeVerifier: string): Promise<IssuedOAuthState>;
  /** Exactly one consume() of an issued state succeeds, whatever the number of callers. */
  consume(state: string): Promise<ConsumedOAuthState>;
}
