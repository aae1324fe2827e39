import type { CommandContext } from '../common/command-context';
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
  /** The authenticated caller who started it (see CommandContext): kept with the events the callback records. */
  authenticatedAs?: string;
  /**
   * SHA-256 (base64url) of the secret in the cookie set on the browser the consent was handed to
   * (RFC 9700 §4.7): only that browser can complete it. Absent on a hand-off link.
   */
  browser?: string;
}

/**
 * The context of what a consent callback records: the actor and authenticated caller who started
 * the consent, this callback's correlation id, and the starting request as its cause.
 */
export function consentCallbackContext(binding: OAuthStateBinding, correlationId: string): CommandContext {
  return {
    actor: binding.actor,
    correlationId,
    causationId: binding.correlationId,
    ...(binding.authenticatedAs === undefined ? {} : { authenticatedAs: binding.authenticatedAs }),
  };
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
  | 'replayed'
  /** Authentic and unused, but brought by another browser than the one it was handed to (not spent). */
  | 'other_browser';

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
  /**
   * Exactly one consume() of an issued state succeeds, whatever the number of callers. A state
   * bound to a browser is refused (`other_browser`, and left unspent) without that browser's secret.
   */
  consume(state: string, browserSecret?: string | null): Promise<ConsumedOAuthState>;
  /**
   * The one-time hand-off that POST …/authorizations answers with: signed, single use, valid as
   * long as a state. Whichever browser opens it first gets the consent, bound to that browser.
   * A hand-off is never accepted as a state, nor a state as a hand-off.
   */
  issueHandoff(binding: OAuthStateBinding): Promise<IssuedOAuthState>;
  consumeHandoff(handoff: string): Promise<ConsumedHandoff>;
}

export type ConsumedHandoff =
  { ok: true; binding: OAuthStateBinding } | { ok: false; reason: OAuthStateRefusal; returnUrl: string | null };
