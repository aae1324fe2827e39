/** Plain value types shared by the commands, events and state of the mail configuration aggregate. */
export type Mode = 'default' | 'gmail' | 'microsoft' | 'smtp';
export const MODES: readonly Mode[] = ['default', 'gmail', 'microsoft', 'smtp'];

export type SmtpSecurity = 'tls' | 'starttls' | 'none';

/** Stages of an SMTP connection test, in the order they run. */
export type SmtpTestStage = 'policy' | 'dns' | 'connect' | 'tls' | 'auth' | 'send' | 'done';

/**
 * Why a consent ended. Gmail's revocation noticed at Google keeps its stored name
 * (`revoked_at_google`); Microsoft's is `revoked_at_provider`.
 */
export type ConsentRevocationReason = 'tenant_request' | 'revoked_at_google' | 'revoked_at_provider';

/** The OAuth providers a tenant can grant send access at. */
export type ConsentProvider = 'gmail' | 'microsoft';

/**
 * A secret as it may appear inside an event: ciphertext and the id of the key that sealed it.
 * The domain never sees plaintext secrets; encryption happens before a command is decided.
 */
export interface EncryptedValue {
  keyId: string;
  ciphertext: string;
}

export const GMAIL_SEND_SCOPE = 'https://www.googleapis.com/auth/gmail.send';

/** Microsoft Graph's send-only permission; the identity platform reports it with or without the resource prefix. */
export const MICROSOFT_SEND_SCOPE = 'https://graph.microsoft.com/Mail.Send';

export function grantsMicrosoftSend(scopes: readonly string[]): boolean {
  return scopes.some((s) => s.toLowerCase() === MICROSOFT_SEND_SCOPE.toLowerCase() || s.toLowerCase() === 'mail.send');
}

export function defaultAddressFor(username: string, domain: string): string {
  return `support.${username}@${domain}`;
}

/** Security follows the port unless the tenant chose: 465 is implicit TLS, anything else STARTTLS. */
export function securityFor(port: number, chosen?: SmtpSecurity): SmtpSecurity {
  return chosen ?? (port === 465 ? 'tls' : 'starttls');
}

/**
 * SMTP settings as the tenant left them, completed with the defaults: security from the port,
 * and the sender address as the login name. Saving and testing a configuration both use this.
 */
export function smtpDefaults(input: { address: string; port: number; security?: SmtpSecurity; username?: string }): {
  security: SmtpSecurity;
  username: string;
} {
  return { security: securityFor(input.port, input.security), username: input.username ?? input.address };
}

/** Where an SMTP password is handed over: the server, its port and the login. */
export interface SmtpEndpoint {
  host: string;
  port: number;
  username: string;
}

/**
 * A stored SMTP password is only ever given to the server, port and login it was saved for:
 * anything else must bring the password again, or a caller could send it to a server of its choosing.
 */
export function savedPasswordServes(saved: SmtpEndpoint, target: SmtpEndpoint): boolean {
  const host = (name: string) => name.trim().toLowerCase().replace(/\.$/, '');
  return host(saved.host) === host(target.host) && saved.port === target.port && saved.username === target.username;
}

export const PASSWORD_FOR_ANOTHER_SERVER =
  'password is required again when the host, port or username differ from the saved ones';

/** The longest display name (a From phrase); well within a header line once encoded. */
export const DISPLAY_NAME_MAX = 100;

// C0, DEL, C1, line/paragraph separators and format characters (bidi overrides make a name read as another).
const DISPLAY_NAME_FORBIDDEN = /[\x00-\x1f\x7f-\x9f\u2028\u2029\p{Cf}]/u;

/**
 * What is wrong with a display name (the phrase of `"Acme Support" <support.acme@…>`), or null
 * when it may be used: 1-100 characters, not blank, no control or format character (CR/LF would
 * start a header of its own). Quotes, commas and non-ASCII are fine: the MIME layer encodes them.
 */
export function displayNameProblem(field: string, value: string): string | null {
  if (value.trim().length === 0) return `${field} must not be blank`;
  if ([...value].length > DISPLAY_NAME_MAX) return `${field} must be at most ${DISPLAY_NAME_MAX} characters`;
  if (DISPLAY_NAME_FORBIDDEN.test(value)) return `${field} must not contain CR, LF or other control characters`;
  return null;
}

/** How long a passing Test vouches for its exact configuration when SMTP is activated. */
export const SMTP_TEST_FRESH_MS = 10 * 60_000;

/** A Test that passed, by the fingerprint of exactly what was tested (a keyed digest: no secret). */
export interface PassedSmtpTest {
  fingerprint: string;
  at: string;
}

/** Whether a passing Test of this exact configuration ran within SMTP_TEST_FRESH_MS before `at`. */
export function passedRecently(pass: PassedSmtpTest | null, fingerprint: string, at: string): boolean {
  if (!pass || pass.fingerprint !== fingerprint) return false;
  const age = Date.parse(at) - Date.parse(pass.at);
  return age >= 0 && age <= SMTP_TEST_FRESH_MS;
}

export interface SmtpTestResult {
  ok: boolean;
  stage: SmtpTestStage;
  message: string;
  durationMs: number;
  at: string;
}

/**
 * What the application brings to an activation: the fingerprint of the configuration to activate
 * and, unless a recent passing Test vouches for it, the Test it just ran on it.
 */
export interface SmtpActivationEvidence {
  fingerprint: string;
  test: SmtpTestResult | null;
}
