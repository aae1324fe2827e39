/** The authenticated caller of a request, set by the auth guard. */
export interface Caller {
  kind: 'application' | 'support';
  /** For application callers restricted to one tenant (a JWT with a tenant claim). */
  tenant: string | null;
  /** A label for logs and default actor: never the token. */
  label: string;
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
 * message, settings link). The one accessor for it, so a personal sign-in only changes what it returns.
 */
export function agentOf(caller: Caller | undefined): string {
  return caller?.label ?? 'anonymous';
}
