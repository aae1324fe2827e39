/**
 * The service's configuration as the application sees it: parsed and validated once at start by
 * infrastructure/config from the environment, then injected with APP_CONFIG.
 */
export const APP_CONFIG = Symbol('APP_CONFIG');

export interface GoogleOAuthConfig {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** The Microsoft identity platform app of mode `microsoft`. */
export interface MicrosoftOAuthConfig {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** Where the identity platform and Graph are (tests and sovereign clouds point elsewhere). */
export interface MicrosoftEndpoints {
  /** MICROSOFT_TENANT: `common`, `organizations` or a directory id. */
  tenant: string;
  /** Root of the identity platform, ending in `/`. */
  authorityUrl: string;
  /** Root of Microsoft Graph, ending in `/`. */
  graphUrl: string;
  /** MICROSOFT_EXTRA_CA_FILE: extra CAs (PEM) trusted for both; null: the system's only. */
  extraCaFile: string | null;
}

/** Bearer JWTs from the main application: exactly one of an HS256 secret or an RS256 public key. */
export interface JwtConfig {
  algorithm: 'HS256' | 'RS256';
  /** The HS256 shared secret, or the RS256 public key as PEM. */
  key: string;
  issuer: string | null;
  audience: string | null;
  /** JWT_MAX_AGE: the longest lifetime (exp − iat) a token may claim, in seconds. */
  maxAgeSeconds: number;
}

/**
 * Personal sign-in of support staff through the company's OpenID Connect provider. An account
 * must pass every list that is set: its `groups` claim must name one of allowedGroups, its
 * verified email must be at one of allowedDomains.
 */
export interface SupportOidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** PUBLIC_URL + /dashboard/oidc/callback: register it at the provider. */
  redirectUri: string;
  allowedGroups: string[];
  /** Lower case, without "@". */
  allowedDomains: string[];
  /** The company's name on the sign-in button ("Sign in with …"). */
  displayName: string;
}

/** A per-tenant rate limit: at most `limit` requests per `windowSeconds`. */
export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

export interface RateLimits {
  smtpTest: RateLimit;
  gmailAuthorization: RateLimit;
  send: RateLimit;
}

/** Webhooks to the main application (WEBHOOK_URL + WEBHOOK_SECRET); null when off. */
export interface WebhookConfig {
  /** http(s) URL the Standard Webhooks POSTs go to. */
  url: string;
  /** The signing key: the bytes behind `whsec_<base64>`. */
  secret: Buffer;
  /** Delays before each retry after a failed attempt; past the last one the delivery is dead-lettered. */
  retryScheduleMs: number[];
  /** Longest an attempt may take, from the address lookup to the receiver's answer. */
  timeoutMs: number;
}

export interface AppConfig {
  port: number;
  /** METRICS_PORT: /metrics is served there (an internal port) and no longer on `port`; null: on `port`. */
  metricsPort: number | null;
  dataDir: string;
  /** esdb:// connection string, or null for the embedded SQLite store. */
  eventStoreConnectionString: string | null;
  defaultSenderDomain: string;
  /** smtp:// or smtps:// URL of the platform relay; null writes .eml files to DATA_DIR/outbox. */
  defaultRelayUrl: string | null;
  /** null when GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET / GOOGLE_REDIRECT_URI are not all set. */
  google: GoogleOAuthConfig | null;
  /** Names of the Google variables that are missing, for the 503 problem. */
  googleMissing: string[];
  googleEndpoints: { authUrl: string; tokenUrl: string; revokeUrl: string; userinfoUrl: string; gmailApiUrl: string };
  /** null when MICROSOFT_CLIENT_ID / MICROSOFT_CLIENT_SECRET / MICROSOFT_REDIRECT_URI are not all set. */
  microsoft: MicrosoftOAuthConfig | null;
  /** Names of the Microsoft variables that are missing, for the 503 problem. */
  microsoftMissing: string[];
  microsoftEndpoints: MicrosoftEndpoints;
  oauthReturnUrlOrigins: string[];
  /** PUBLIC_URL: the service's external origin (no trailing slash), for settings-page links. */
  publicUrl: string;
  /**
   * CIDR blocks (canonical text) of private addresses the SMTP guard lets through: development
   * and tests only. Empty in production.
   */
  smtpAllowedPrivateNetworks: string[];
  /** SMTP_ALLOW_PRIVATE_HOSTS was used (deprecated alias of SMTP_ALLOWED_PRIVATE_NETWORKS = loopback). */
  smtpAllowPrivateHostsAlias: boolean;
  smtpAllowedPorts: number[];
  smtpExtraCaFile: string | null;
  /** null when neither JWT_SECRET nor JWT_PUBLIC_KEY is set: only the static tokens are accepted. */
  jwt: JwtConfig | null;
  rateLimits: RateLimits;
  /** null when SUPPORT_OIDC_ISSUER / _CLIENT_ID / _CLIENT_SECRET are not set: only the support token signs in. */
  supportOidc: SupportOidcConfig | null;
  /** SUPPORT_SESSION_IDLE: a support session unused this many seconds is refused (default 1800). */
  supportSessionIdleSeconds: number;
  /** Consecutive send failures in the active mode before the tenant is recorded as failing. */
  sendFailingAfter: number;
  /** Days a delivery-log record is kept (DELIVERY_LOG_RETENTION_DAYS). */
  deliveryLogRetentionDays: number;
  /** GMAIL_CONSENT_CHECK_INTERVAL in seconds (0 = off); null: daily, or off when NODE_ENV=test. */
  gmailConsentCheckIntervalSeconds: number | null;
  /** /health/ready fails when the oldest unprojected event is older than this. */
  projectionMaxLagMs: number;
  /**
   * PROJECTION_THREAD: `worker` projects the embedded SQLite shape in a worker thread (off the
   * event loop that answers requests), `main` in the event loop; other shapes always use `main`.
   */
  projectionThread: 'worker' | 'main';
  /** WEBHOOK_URL and WEBHOOK_SECRET; null (unset) turns webhooks off. */
  webhooks: WebhookConfig | null;
  /** Log level for pino. */
  logLevel: string;
  /** development: pretty logs; production: JSON lines. */
  nodeEnv: string;
}
