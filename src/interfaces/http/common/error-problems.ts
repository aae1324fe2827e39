import { type MailConfigErrorCode, tenantErased } from '../../../domain/mail-config/mail-config.errors';

/** What any error with a stable `code` carries: the domain's, the application's and the ports' errors. */
export interface CodedError {
  code: string;
  message: string;
  field?: string;
  details?: Record<string, unknown>;
}

export interface ProblemRow {
  status: number;
  slug: string;
  title: string;
  /** The problem's detail when the error's own message is not meant for the caller. */
  detail?: (error: CodedError) => string;
  headers?: Record<string, string> | ((error: CodedError) => Record<string, string>);
}

const INVALID: Omit<ProblemRow, 'status'> = { slug: 'validation', title: 'Invalid request' };

/** Every domain code has a row (the compiler checks it). */
const DOMAIN: Record<MailConfigErrorCode, ProblemRow> = {
  NOT_PROVISIONED: { status: 404, slug: 'not-provisioned', title: 'Not provisioned' },
  USERNAME_CONFLICT: { status: 409, slug: 'username-conflict', title: 'Username conflict' },
  GMAIL_NOT_AUTHORIZED: { status: 409, slug: 'gmail-not-authorized', title: 'Gmail not authorized' },
  GMAIL_SCOPE_MISSING: { status: 409, slug: 'gmail-scope-missing', title: 'Gmail send permission missing' },
  MICROSOFT_NOT_AUTHORIZED: { status: 409, slug: 'microsoft-not-authorized', title: 'Microsoft 365 not authorized' },
  MICROSOFT_SCOPE_MISSING: {
    status: 409,
    slug: 'microsoft-scope-missing',
    title: 'Microsoft 365 send permission missing',
  },
  SMTP_NOT_CONFIGURED: { status: 409, slug: 'smtp-not-configured', title: 'SMTP not configured' },
  SMTP_PASSWORD_REQUIRED: { status: 400, ...INVALID },
  INVALID_DISPLAY_NAME: { status: 400, ...INVALID },
  SMTP_NOT_TESTED: { status: 409, slug: 'smtp-not-tested', title: 'SMTP configuration not tested' },
  // Also the code of a credential whose key was shredded: the cipher's wording is not the caller's.
  TENANT_ERASED: { status: 410, slug: 'tenant-erased', title: 'Tenant erased', detail: () => tenantErased().message },
};

const APPLICATION: Record<string, ProblemRow> = {
  VERSION_MISMATCH: { status: 412, slug: 'precondition-failed', title: 'Precondition failed' },
  CONCURRENT_CHANGE: {
    status: 409,
    slug: 'concurrent-change',
    title: 'Concurrent change',
    detail: () => 'The configuration was changed by another request at the same time; retry',
  },
  EVENT_STORE_UNREACHABLE: {
    status: 503,
    slug: 'event-store-unavailable',
    title: 'Event store unavailable',
    detail: () => 'The event store cannot be reached right now; retry shortly',
    headers: { 'Retry-After': '5' },
  },
  DATABASE_UNREACHABLE: {
    status: 503,
    slug: 'database-unavailable',
    title: 'Database unavailable',
    detail: () => 'The database cannot be reached right now; retry shortly',
    headers: { 'Retry-After': '5' },
  },
  USERNAME_TAKEN: { status: 409, slug: 'username-taken', title: 'Username taken' },
  CREDENTIAL_UNAVAILABLE: { status: 409, slug: 'credential-unavailable', title: 'Credential unavailable' },
  UNKNOWN_EVENT_TYPE: {
    status: 500,
    slug: 'unknown-event-type',
    title: 'Unknown event type',
    detail: (e) =>
      `This tenant’s history holds an event of unknown type "${String(e.details?.eventType)}"; ` +
      'commands on it are refused until the service understands it',
  },
  INVALID_CURSOR: { status: 400, ...INVALID },
  GOOGLE_NOT_CONFIGURED: { status: 503, slug: 'gmail-not-configured', title: 'Gmail not configured' },
  MICROSOFT_NOT_CONFIGURED: { status: 503, slug: 'microsoft-not-configured', title: 'Microsoft 365 not configured' },
  INVALID_RETURN_URL: { status: 400, ...INVALID },
  INVALID_HEADER: { status: 400, ...INVALID },
  IDEMPOTENCY_IN_PROGRESS: {
    status: 409,
    slug: 'idempotency-in-progress',
    title: 'Request in progress',
    headers: { 'Retry-After': '1' },
  },
  IDEMPOTENCY_KEY_REUSED: { status: 422, slug: 'idempotency-key-reused', title: 'Idempotency-Key reused' },
  MODE_UNAVAILABLE: { status: 503, slug: 'mode-unavailable', title: 'Mode unavailable' },
  // Activation refused: the problem carries the Test's `stage` and `message` (details).
  SMTP_TEST_FAILED: { status: 409, slug: 'smtp-test-failed', title: 'SMTP test failed' },
  SMTP_TARGET_FORBIDDEN: { status: 400, ...INVALID },
  // A budget spent by a use case (an activation's Test): answered as the route guard's 429 is.
  RATE_LIMITED: {
    status: 429,
    slug: 'rate-limited',
    title: 'Too many requests',
    headers: (e) => ({ 'Retry-After': String(e.details?.retryAfter ?? 1) }),
  },
  DELIVERY_FAILED: { status: 502, slug: 'delivery-failed', title: 'Delivery failed' },
  DELIVERY_UNCERTAIN: { status: 502, slug: 'delivery-uncertain', title: 'Delivery uncertain' },
  WEBHOOKS_NOT_CONFIGURED: { status: 503, slug: 'webhooks-not-configured', title: 'Webhooks not configured' },
  WEBHOOK_DELIVERY_NOT_FOUND: { status: 404, slug: 'webhook-delivery-not-found', title: 'Webhook delivery not found' },
  WEBHOOK_DELIVERY_PENDING: { status: 409, slug: 'webhook-delivery-pending', title: 'Webhook delivery pending' },
};

/**
 * The one table from error code to problem document. Nothing below the interface layer knows
 * HTTP: use cases throw errors with a code, and a new code needs a row here.
 */
export const ERROR_PROBLEMS: Readonly<Record<string, ProblemRow>> = { ...DOMAIN, ...APPLICATION };

/** The error's code and row, when it carries a code this table knows (not, say, a Node system error's). */
export function codedErrorOf(error: unknown): { error: CodedError; row: ProblemRow } | null {
  if (!(error instanceof Error)) return null;
  const coded = error as Error & Partial<CodedError>;
  if (typeof coded.code !== 'string' || !Object.hasOwn(ERROR_PROBLEMS, coded.code)) return null;
  return { error: coded as CodedError, row: ERROR_PROBLEMS[coded.code] };
}
