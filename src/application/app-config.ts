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

export interface AppConfig {
  port: number;
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
  oauthReturnUrlOrigins: string[];
  smtpAllowPrivateHosts: boolean;
  smtpAllowedPorts: number[];
  smtpExtraCaFile: string | null;
  /** Log level for pino. */
  logLevel: string;
  /** development: pretty logs; production: JSON lines. */
  nodeEnv: string;
}
