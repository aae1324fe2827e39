/** The authenticated caller of a request, set by the auth guard. */
export interface Caller {
  kind: 'application' | 'support';
  /** For application callers restricted to one tenant (a JWT with a tenant claim). */
  tenant: string | null;
  /** A label for logs and default actor: never the token. */
  label: string;
  /**
   * The signed-in support agent (their email, or "support token") when the dashboard's session
   * cookie authenticated the request: then they, not X-Actor, are the actor of what they do.
   */
  agent?: string;
}

export const CALLER_TOKENS = Symbol('CALLER_TOKENS');

export interface CallerTokens {
  apiToken: string;
  supportToken: string;
}

/** Something that can recognise a bearer token (static tokens, JWTs, …). */
export interface CallerAuthenticator {
  authenticate(token: string): Promise<Caller | null>;
}
export const CALLER_AUTHENTICATORS = Symbol('CALLER_AUTHENTICATORS');

/**
 * The support agent behind a caller: the actor of every support action (dashboard test, test
 * message, settings link): the signed-in agent's identity (OIDC email, or "support token"), else the caller's label.
 */
export function agentOf(caller: Caller | undefined): string {
  return caller?.agent ?? caller?.label ?? 'anonymous';
}
