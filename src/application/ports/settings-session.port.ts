/**
 * The tenant's settings page is opened through a link the main application asks for: single
 * use, short-lived, bound to one tenant and one actor. Opening it gives the browser a session
 * (a signed, expiring cookie value) that every instance of the service can check on its own.
 */
export const SETTINGS_SESSIONS = Symbol('SETTINGS_SESSIONS');

/** How long a link may wait before it is opened. */
export const SETTINGS_LINK_TTL_MS = 5 * 60 * 1000;
/** How long the page stays usable once the link was opened. */
export const SETTINGS_SESSION_TTL_MS = 30 * 60 * 1000;

export interface SettingsSessionBinding {
  tenantId: string;
  /** Who the main application says is behind the page: the actor of every change made there. */
  actor: string;
  /** Where "back to the application" leads; null when the main application gave none. */
  returnUrl: string | null;
  /** Correlation id of the request that asked for the link. */
  correlationId: string;
}

export interface IssuedSettingsLink {
  /** The secret of the link: goes into its URL, nowhere else. */
  token: string;
  expiresAt: Date;
}

export interface SettingsSession {
  tenantId: string;
  actor: string;
  returnUrl: string | null;
  expiresAt: Date;
  /** The anti-forgery token of this session: page script sends it back with every change. */
  csrfToken: string;
}

export type RedeemedSettingsLink =
  | { ok: true; session: SettingsSession; cookie: string }
  /** `returnUrl` only when the link is authentic, so a forged one cannot choose where "back" leads. */
  | { ok: false; reason: 'invalid' | 'expired' | 'used'; returnUrl: string | null };

export interface SettingsSessions {
  issueLink(binding: SettingsSessionBinding): Promise<IssuedSettingsLink>;
  /** Exactly one redeem() of an issued link succeeds, whatever the number of callers and instances. */
  redeem(token: string): Promise<RedeemedSettingsLink>;
  /** The session a cookie value stands for, or null when it is forged, damaged or expired. */
  verify(cookie: string): SettingsSession | null;
}
