export const SUPPORT_SESSION_STORE = Symbol('SUPPORT_SESSION_STORE');

/** How an agent proved who they are when the session began. */
export type SupportSignInMethod = 'token' | 'oidc';

/** A signed-in support agent, as the store keeps it (never the session id itself). */
export interface SupportSessionRecord {
  /** The agent's email (company sign-in), or "support token" (the shared token's form). */
  identity: string;
  method: SupportSignInMethod;
  createdAt: Date;
  expiresAt: Date;
  /** The last use the store recorded (refreshed at most about once a minute, see SupportSessions). */
  lastUsedAt: Date;
  /**
   * For a session begun with the shared support token: an HMAC of that token keyed by the session
   * id (which the store never sees), so a rotated token ends the session and the store holds
   * nothing a token could be guessed against. Null for company sign-in.
   */
  tokenFingerprint: string | null;
}

/**
 * Support sessions by the SHA-256 of their id: whoever reads the store (a backup, a replica)
 * learns no id that a browser could present. In the replicated shape the store is shared, so a
 * session begun at one instance is honoured, and its sign-out seen, at every other.
 */
export interface SupportSessionStore {
  create(idHash: string, session: SupportSessionRecord): Promise<void>;
  /** The session unless revoked or past its absolute end at `now` (idleness is SupportSessions' to judge), or null. */
  find(idHash: string, now: Date): Promise<SupportSessionRecord | null>;
  /** Records a use at `at`; never moves last use backwards (another instance may have recorded a later one). */
  touch(idHash: string, at: Date): Promise<void>;
  /** Sign-out: the session is dead at once, wherever it is presented. */
  revoke(idHash: string, at: Date): Promise<void>;
  /** Forgets sessions that ended (expired or revoked) before `before`; returns how many. */
  purge(before: Date): Promise<number>;
  close(): Promise<void>;
}
