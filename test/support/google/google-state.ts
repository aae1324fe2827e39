import { randomBytes } from 'node:crypto';

/**
 * What the stand-in Google remembers: one grant per account and client (what a user sees under
 * "Third-party apps with account access"), the codes, refresh and access tokens issued for it.
 * Revoking any token of a grant, or the user removing the app, ends the whole grant.
 */
export const GMAIL_SEND = 'https://www.googleapis.com/auth/gmail.send';
export const KNOWN_SCOPES = ['openid', 'email', 'profile', GMAIL_SEND, 'https://mail.google.com/'];
/** Sign-in scopes cannot be unticked on Google's granular consent screen; API scopes can. */
export const SIGN_IN_SCOPES = ['openid', 'email', 'profile'];

export interface Grant {
  id: string;
  account: string;
  clientId: string;
  scopes: Set<string>;
  revoked: boolean;
}

export interface IssuedCode {
  grantId: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  offline: boolean;
  withRefreshToken: boolean;
  expiresAt: number;
  used: boolean;
}

export interface IssuedAccessToken {
  grantId: string;
  scopes: string[];
  expiresAt: number;
}

/** The user's answer on the consent screen, queued by a test; the default approves everything. */
export type ConsentDecision =
  { kind: 'approve'; account?: string; untick?: string[]; withoutRefreshToken?: boolean } | { kind: 'deny' };

export type Endpoint = 'token' | 'refresh' | 'revoke' | 'userinfo' | 'gmail';

/** An injected failure: answer `status` (or hang for `delayMs` first, or never answer) the next `times` calls. */
export interface InjectedFailure {
  status?: number;
  delayMs?: number;
  /** Never answers: the request hangs until the client gives up. */
  stall?: boolean;
  times: number;
  retryAfterSeconds?: number;
}

export const token = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;

export class GoogleState {
  readonly grants = new Map<string, Grant>();
  readonly codes = new Map<string, IssuedCode>();
  readonly refreshTokens = new Map<string, string>();
  readonly accessTokens = new Map<string, IssuedAccessToken>();
  readonly decisions: ConsentDecision[] = [];
  readonly failures = new Map<Endpoint, InjectedFailure[]>();
  accessTokenTtlSeconds = 3599;

  constructor(readonly defaultAccount: string) {}

  /** The grant of this account for this client, extended by a new consent (Google merges). */
  grantFor(account: string, clientId: string, scopes: string[]): Grant {
    let grant = [...this.grants.values()].find((g) => g.account === account && g.clientId === clientId && !g.revoked);
    if (!grant) {
      grant = { id: token('grant-'), account, clientId, scopes: new Set(), revoked: false };
      this.grants.set(grant.id, grant);
    }
    scopes.forEach((s) => grant!.scopes.add(s));
    return grant;
  }

  issueAccessToken(grantId: string, scopes: string[]): { token: string; expiresIn: number } {
    const value = token('ya29.');
    this.accessTokens.set(value, { grantId, scopes, expiresAt: Date.now() + this.accessTokenTtlSeconds * 1000 });
    return { token: value, expiresIn: this.accessTokenTtlSeconds };
  }

  /** A live access token: known, not expired, its grant not revoked. */
  liveAccessToken(value: string | null): IssuedAccessToken | null {
    const issued = value ? this.accessTokens.get(value) : undefined;
    if (!issued || issued.expiresAt <= Date.now() || this.grants.get(issued.grantId)?.revoked) return null;
    return issued;
  }

  liveRefreshToken(value: string): Grant | null {
    const grant = this.grants.get(this.refreshTokens.get(value) ?? '');
    return grant && !grant.revoked ? grant : null;
  }

  /** Any token of the grant revokes all of it. Returns false for a token Google does not know. */
  revokeToken(value: string): boolean {
    const grantId = this.refreshTokens.get(value) ?? this.accessTokens.get(value)?.grantId;
    const grant = grantId ? this.grants.get(grantId) : undefined;
    if (!grant || grant.revoked) return false;
    grant.revoked = true;
    return true;
  }

  /** The user removes the app at myaccount.google.com → Security → Third-party access. */
  revokeAccount(account: string): number {
    const grants = [...this.grants.values()].filter((g) => g.account === account && !g.revoked);
    grants.forEach((g) => (g.revoked = true));
    return grants.length;
  }

  takeFailure(endpoint: Endpoint): InjectedFailure | null {
    const queue = this.failures.get(endpoint) ?? [];
    const next = queue[0];
    if (!next) return null;
    if (--next.times <= 0) queue.shift();
    return next;
  }
}
