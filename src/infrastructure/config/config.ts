import { createPublicKey } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { type AppConfig, type JwtConfig, type RateLimit, type SupportOidcConfig } from '../../application/app-config';
import { webhookConfig } from './webhook-config';
import { LOOPBACK_NETWORKS, parseCidr } from '../mail/ssrf/ip-ranges';

/** A bad environment variable: start-up stops with one line naming it. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const GOOGLE_DEFAULTS = {
  GOOGLE_AUTH_URL: 'https://accounts.google.com/o/oauth2/v2/auth',
  GOOGLE_TOKEN_URL: 'https://oauth2.googleapis.com/token',
  GOOGLE_REVOKE_URL: 'https://oauth2.googleapis.com/revoke',
  GOOGLE_USERINFO_URL: 'https://openidconnect.googleapis.com/v1/userinfo',
  GMAIL_API_URL: 'https://gmail.googleapis.com/',
};

function value(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function port(env: Env, name: string, fallback: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 0 || n > 65535)
    throw new ConfigError(name, `must be a port number 0-65535, got "${raw}"`);
  return n;
}

function url(env: Env, name: string, protocols: string[], fallback: string | null): string | null {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be an absolute URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.map((p) => p.replace(':', '://')).join(' or ')}`);
  }
  return raw;
}

function bool(env: Env, name: string): boolean {
  const raw = value(env, name);
  if (raw === undefined) return false;
  if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

/**
 * SMTP_ALLOWED_PRIVATE_NETWORKS, a CIDR list; SMTP_ALLOW_PRIVATE_HOSTS=true, its deprecated alias,
 * means loopback only (it used to lift the guard for every private range). The explicit list wins.
 */
function smtpPrivateNetworks(env: Env): { smtpAllowedPrivateNetworks: string[]; smtpAllowPrivateHostsAlias: boolean } {
  const alias = bool(env, 'SMTP_ALLOW_PRIVATE_HOSTS');
  const raw = value(env, 'SMTP_ALLOWED_PRIVATE_NETWORKS');
  if (raw === undefined) {
    return { smtpAllowedPrivateNetworks: alias ? [...LOOPBACK_NETWORKS] : [], smtpAllowPrivateHostsAlias: alias };
  }
  const networks = raw
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
    .map((n) => {
      const network = parseCidr(n);
      if (!network)
        throw new ConfigError('SMTP_ALLOWED_PRIVATE_NETWORKS', `"${n}" is not a CIDR block like 127.0.0.0/8`);
      return network.text;
    });
  return { smtpAllowedPrivateNetworks: [...new Set(networks)], smtpAllowPrivateHostsAlias: alias };
}

/** JWT_MAX_AGE in seconds (default one hour): tokens claiming a longer life are refused. */
function jwtMaxAge(env: Env): number {
  const raw = value(env, 'JWT_MAX_AGE');
  if (raw === undefined) return 3600;
  const seconds = Number(raw);
  if (!/^\d+$/.test(raw) || seconds < 1 || seconds > 86_400)
    throw new ConfigError('JWT_MAX_AGE', `must be a number of seconds from 1 to 86400, got "${raw}"`);
  return seconds;
}

/** JWT_SECRET (HS256, ≥ 32 chars) or JWT_PUBLIC_KEY (RS256, PEM or a file holding it); never both. */
function jwt(env: Env): JwtConfig | null {
  const secret = value(env, 'JWT_SECRET');
  const publicKey = value(env, 'JWT_PUBLIC_KEY');
  const claims = {
    issuer: value(env, 'JWT_ISSUER') ?? null,
    audience: value(env, 'JWT_AUDIENCE') ?? null,
    maxAgeSeconds: jwtMaxAge(env),
  };
  if (secret && publicKey) throw new ConfigError('JWT_PUBLIC_KEY', 'set either JWT_SECRET or JWT_PUBLIC_KEY, not both');
  if (secret) {
    if (secret.length < 32) throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
    return { algorithm: 'HS256', key: secret, ...claims };
  }
  if (!publicKey) return null;
  // Env files often carry a PEM on one line with literal "\n".
  const pem = publicKey.includes('-----BEGIN')
    ? publicKey.replace(/\\n/g, '\n')
    : existsSync(publicKey)
      ? readFileSync(publicKey, 'utf8')
      : null;
  if (pem === null)
    throw new ConfigError('JWT_PUBLIC_KEY', 'must be a PEM public key or the path of a file holding one');
  try {
    if (createPublicKey(pem).asymmetricKeyType !== 'rsa') throw new Error();
  } catch {
    throw new ConfigError('JWT_PUBLIC_KEY', 'is not an RSA public key in PEM format');
  }
  return { algorithm: 'RS256', key: pem, ...claims };
}

/** "<limit>/<seconds>", e.g. THROTTLE_SEND=600/60. */
export function rateLimit(env: Env, name: string, fallback: RateLimit): RateLimit {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const m = /^(\d{1,9})\/(\d{1,7})$/.exec(raw);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1)
    throw new ConfigError(name, `must look like <limit>/<seconds> with both at least 1, got "${raw}"`);
  return { limit: Number(m[1]), windowSeconds: Number(m[2]) };
}

function wholeOrNull(env: Env, name: string): number | null {
  const raw = value(env, name);
  if (raw === undefined) return null;
  if (!/^\d{1,9}$/.test(raw)) throw new ConfigError(name, `must be a whole number of seconds (0 = off), got "${raw}"`);
  return Number(raw);
}

function projectionThread(env: Env): 'worker' | 'main' {
  const raw = value(env, 'PROJECTION_THREAD') ?? 'worker';
  if (raw !== 'worker' && raw !== 'main')
    throw new ConfigError('PROJECTION_THREAD', `must be worker or main, got "${raw}"`);
  return raw;
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1)
    throw new ConfigError(name, `must be a positive whole number, got "${raw}"`);
  return Number(raw);
}

/**
 * SUPPORT_SESSION_IDLE in seconds (default 30 minutes). At least a minute (last use is recorded
 * about once a minute) and at most the sessions' 8 hours (beyond that it could never apply).
 */
function supportSessionIdle(env: Env): number {
  const raw = value(env, 'SUPPORT_SESSION_IDLE');
  if (raw === undefined) return 1800;
  const seconds = Number(raw);
  if (!/^\d{1,9}$/.test(raw) || seconds < 60 || seconds > 28_800)
    throw new ConfigError('SUPPORT_SESSION_IDLE', `must be a number of seconds from 60 to 28800, got "${raw}"`);
  return seconds;
}

/** PUBLIC_URL: an http(s) origin as browsers reach the service; links to the settings page are built on it. */
function publicUrl(env: Env, listenPort: number): string {
  const raw = value(env, 'PUBLIC_URL');
  if (raw === undefined) return `http://localhost:${listenPort}`;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError('PUBLIC_URL', 'must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError('PUBLIC_URL', 'must use http:// or https://');
  }
  if (parsed.pathname !== '/' || parsed.search || parsed.hash || parsed.username || parsed.password) {
    throw new ConfigError('PUBLIC_URL', 'must be an origin only (scheme, host and port), without path or query');
  }
  return parsed.origin;
}

const slash = (u: string) => (u.endsWith('/') ? u : `${u}/`);

function microsoftConfig(env: Env): Pick<AppConfig, 'microsoft' | 'microsoftMissing' | 'microsoftEndpoints'> {
  const names = ['MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET', 'MICROSOFT_REDIRECT_URI'];
  const missing = names.filter((n) => value(env, n) === undefined);
  const redirectUri = url(env, 'MICROSOFT_REDIRECT_URI', ['http:', 'https:'], null);
  const tenant = value(env, 'MICROSOFT_TENANT') ?? 'common';
  if (!/^[A-Za-z0-9.-]{1,128}$/.test(tenant)) {
    throw new ConfigError('MICROSOFT_TENANT', `must be common, organizations, consumers or a directory id`);
  }
  return {
    microsoft:
      missing.length === 0
        ? {
            clientId: value(env, 'MICROSOFT_CLIENT_ID')!,
            clientSecret: value(env, 'MICROSOFT_CLIENT_SECRET')!,
            redirectUri: redirectUri!,
          }
        : null,
    microsoftMissing: missing,
    microsoftEndpoints: {
      tenant,
      // MSAL refuses authorities that are not https.
      authorityUrl: slash(url(env, 'MICROSOFT_AUTHORITY_URL', ['https:'], 'https://login.microsoftonline.com/')!),
      graphUrl: slash(url(env, 'MICROSOFT_GRAPH_URL', ['http:', 'https:'], 'https://graph.microsoft.com/')!),
      extraCaFile: readableFile(env, 'MICROSOFT_EXTRA_CA_FILE'),
    },
  };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(env: Env): string {
  const level = value(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(level))
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(' ')}, got "${level}"`);
  return level;
}

/** A path that must name a readable file, checked at start rather than when first used. */
function readableFile(env: Env, name: string): string | null {
  const path = value(env, name);
  if (path === undefined) return null;
  try {
    accessSync(path, constants.R_OK);
    if (!statSync(path).isFile()) throw new Error();
  } catch {
    throw new ConfigError(name, `cannot read the file "${path}"`);
  }
  return path;
}

const list = (env: Env, name: string) =>
  (value(env, name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Company sign-in for support staff: all three of issuer, client id and secret, and at least one allow-list. */
function supportOidc(env: Env, publicUrl: string): SupportOidcConfig | null {
  const names = ['SUPPORT_OIDC_ISSUER', 'SUPPORT_OIDC_CLIENT_ID', 'SUPPORT_OIDC_CLIENT_SECRET'];
  const missing = names.filter((n) => value(env, n) === undefined);
  if (missing.length === names.length) return null;
  if (missing.length > 0) throw new ConfigError(missing[0], `must be set too when ${names.join(', ')} is used`);
  const issuer = url(env, 'SUPPORT_OIDC_ISSUER', ['https:', 'http:'], null)!;
  const allowedGroups = list(env, 'SUPPORT_OIDC_ALLOWED_GROUPS');
  const allowedDomains = list(env, 'SUPPORT_OIDC_ALLOWED_DOMAINS').map((d) => d.replace(/^@/, '').toLowerCase());
  if (allowedGroups.length === 0 && allowedDomains.length === 0) {
    throw new ConfigError(
      'SUPPORT_OIDC_ALLOWED_GROUPS',
      'set it and/or SUPPORT_OIDC_ALLOWED_DOMAINS, or every account of the provider could sign in as support',
    );
  }
  for (const d of allowedDomains) {
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(d)) {
      throw new ConfigError('SUPPORT_OIDC_ALLOWED_DOMAINS', `"${d}" is not a domain name`);
    }
  }
  return {
    issuer,
    clientId: value(env, 'SUPPORT_OIDC_CLIENT_ID')!,
    clientSecret: value(env, 'SUPPORT_OIDC_CLIENT_SECRET')!,
    redirectUri: `${publicUrl}/dashboard/oidc/callback`,
    allowedGroups,
    allowedDomains,
    displayName: (value(env, 'SUPPORT_OIDC_NAME') ?? new URL(issuer).hostname).slice(0, 80),
  };
}

export function parseConfig(env: Env): AppConfig {
  const esdb = value(env, 'EVENTSTORE_CONNECTION_STRING') ?? null;
  if (esdb !== null && !/^esdb(\+discover)?:\/\//.test(esdb)) {
    throw new ConfigError('EVENTSTORE_CONNECTION_STRING', 'must start with esdb:// or esdb+discover://');
  }
  const domain = value(env, 'DEFAULT_SENDER_DOMAIN') ?? 'smemetrics-email.com';
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(domain)) {
    throw new ConfigError('DEFAULT_SENDER_DOMAIN', `must be a domain name, got "${domain}"`);
  }
  const googleNames = ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'GOOGLE_REDIRECT_URI'];
  const googleMissing = googleNames.filter((n) => value(env, n) === undefined);
  const redirectUri = url(env, 'GOOGLE_REDIRECT_URI', ['http:', 'https:'], null);
  const origins = (value(env, 'OAUTH_RETURN_URL_ORIGINS') ?? 'http://localhost:3000').split(',').map((o) => o.trim());
  const normalisedOrigins = origins.filter(Boolean).map((o) => {
    try {
      const u = new URL(o);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
      return u.origin;
    } catch {
      throw new ConfigError('OAUTH_RETURN_URL_ORIGINS', `"${o}" is not an http(s) origin`);
    }
  });
  const allowedPortsRaw = value(env, 'SMTP_ALLOWED_PORTS') ?? '25,465,587,2525';
  const smtpAllowedPorts = allowedPortsRaw.split(',').map((p) => {
    const n = Number(p.trim());
    if (!/^\d+$/.test(p.trim()) || n < 1 || n > 65535) {
      throw new ConfigError('SMTP_ALLOWED_PORTS', `"${p.trim()}" is not a port number 1-65535`);
    }
    return n;
  });
  const endpoint = (name: keyof typeof GOOGLE_DEFAULTS) => url(env, name, ['http:', 'https:'], GOOGLE_DEFAULTS[name])!;
  const gmailApiUrl = endpoint('GMAIL_API_URL');
  const listenPort = port(env, 'PORT', 3000);
  const external = publicUrl(env, listenPort);
  const metricsPort = value(env, 'METRICS_PORT') === undefined ? null : port(env, 'METRICS_PORT', 0);
  if (metricsPort !== null && metricsPort !== 0 && metricsPort === listenPort) {
    throw new ConfigError('METRICS_PORT', 'must differ from PORT (the metrics go to an internal port of their own)');
  }
  return {
    port: listenPort,
    metricsPort,
    dataDir: value(env, 'DATA_DIR') ?? './data',
    eventStoreConnectionString: esdb,
    defaultSenderDomain: domain.toLowerCase(),
    defaultRelayUrl: url(env, 'DEFAULT_RELAY_URL', ['smtp:', 'smtps:'], null),
    google:
      googleMissing.length === 0
        ? {
            clientId: value(env, 'GOOGLE_CLIENT_ID')!,
            clientSecret: value(env, 'GOOGLE_CLIENT_SECRET')!,
            redirectUri: redirectUri!,
          }
        : null,
    googleMissing,
    googleEndpoints: {
      authUrl: endpoint('GOOGLE_AUTH_URL'),
      tokenUrl: endpoint('GOOGLE_TOKEN_URL'),
      revokeUrl: endpoint('GOOGLE_REVOKE_URL'),
      userinfoUrl: endpoint('GOOGLE_USERINFO_URL'),
      gmailApiUrl: gmailApiUrl.endsWith('/') ? gmailApiUrl : `${gmailApiUrl}/`,
    },
    ...microsoftConfig(env),
    oauthReturnUrlOrigins: normalisedOrigins,
    publicUrl: external,
    ...smtpPrivateNetworks(env),
    smtpAllowedPorts,
    smtpExtraCaFile: readableFile(env, 'SMTP_EXTRA_CA_FILE'),
    jwt: jwt(env),
    rateLimits: {
      smtpTest: rateLimit(env, 'THROTTLE_SMTP_TEST', { limit: 20, windowSeconds: 60 }),
      gmailAuthorization: rateLimit(env, 'THROTTLE_GMAIL_AUTHORIZATION', { limit: 20, windowSeconds: 60 }),
      send: rateLimit(env, 'THROTTLE_SEND', { limit: 600, windowSeconds: 60 }),
    },
    supportOidc: supportOidc(env, external),
    supportSessionIdleSeconds: supportSessionIdle(env),
    gmailConsentCheckIntervalSeconds: wholeOrNull(env, 'GMAIL_CONSENT_CHECK_INTERVAL'),
    sendFailingAfter: positiveInt(env, 'SEND_FAILING_AFTER', 3),
    deliveryLogRetentionDays: positiveInt(env, 'DELIVERY_LOG_RETENTION_DAYS', 30),
    projectionMaxLagMs: positiveInt(env, 'PROJECTIONS_MAX_LAG_MS', 5000),
    projectionThread: projectionThread(env),
    webhooks: webhookConfig(env, (variable, problem) => new ConfigError(variable, problem)),
    logLevel: logLevel(env),
    nodeEnv: value(env, 'NODE_ENV') ?? 'development',
  };
}
