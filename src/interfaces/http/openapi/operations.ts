/**
 * What the OpenAPI document says of each operation beyond what the decorators give: a summary,
 * the answers with their schemas (generated from the handlers' result types), every problem the
 * route can answer with (by error code, so status, type and title come from the one error table),
 * and an example that works. `openapi-document.ts` applies it; a test fails when an operation of
 * the document has no row here, or a row names no operation.
 */
import type { ResponseSchemaName } from './response-schemas';

/** An error code of ERROR_PROBLEMS, or one of the problems the HTTP layer raises itself. */
export type ProblemName =
  | 'VALIDATION'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'NOT_PROVISIONED'
  | 'USERNAME_CONFLICT'
  | 'USERNAME_TAKEN'
  | 'GMAIL_NOT_AUTHORIZED'
  | 'GMAIL_SCOPE_MISSING'
  | 'MICROSOFT_NOT_AUTHORIZED'
  | 'SMTP_NOT_CONFIGURED'
  | 'SMTP_PASSWORD_REQUIRED'
  | 'SMTP_NOT_TESTED'
  | 'SMTP_TEST_FAILED'
  | 'SMTP_TARGET_FORBIDDEN'
  | 'TENANT_ERASED'
  | 'VERSION_MISMATCH'
  | 'CONCURRENT_CHANGE'
  | 'EVENT_STORE_UNREACHABLE'
  | 'CREDENTIAL_UNAVAILABLE'
  | 'INVALID_CURSOR'
  | 'GOOGLE_NOT_CONFIGURED'
  | 'MICROSOFT_NOT_CONFIGURED'
  | 'INVALID_RETURN_URL'
  | 'IDEMPOTENCY_IN_PROGRESS'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'MODE_UNAVAILABLE'
  | 'DELIVERY_FAILED'
  | 'DELIVERY_UNCERTAIN'
  | 'INVALID_DISPLAY_NAME'
  | 'INVALID_HEADER'
  | 'WEBHOOKS_NOT_CONFIGURED'
  | 'WEBHOOK_DELIVERY_NOT_FOUND'
  | 'WEBHOOK_DELIVERY_PENDING';

export interface Answer {
  /** A component of response-schemas.json; null for a redirect or an empty answer. */
  schema: ResponseSchemaName | null;
  description: string;
}

/** How the examples test (test/e2e/openapi-examples.e2e.spec.ts) runs the example. */
export interface OperationExample {
  /** `fresh`: a tenant id never used; `provisioned`: a tenant provisioned just before (mode 1). */
  tenant?: 'fresh' | 'provisioned';
  /** Path parameters other than tenantId. */
  path?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  /** The documented answer the example gets. */
  status: number;
}

export interface OperationDoc {
  summary: string;
  description?: string;
  answers: Record<number, Answer>;
  /** Beyond the ones every authenticated operation can give (401, 403, 429, 503) and 400 for bad input. */
  problems: ProblemName[];
  /** Request examples by name; each runs in the examples test. `null`: cannot run in a test, and why. */
  examples: Record<string, OperationExample> | { notRunnable: string };
}

const VIEW = (description: string): Answer => ({ schema: 'MailConfigView', description });
const TENANT_WRITE: ProblemName[] = ['NOT_PROVISIONED', 'TENANT_ERASED', 'VERSION_MISMATCH', 'CONCURRENT_CHANGE'];

export const OPERATIONS: Record<string, OperationDoc> = {
  'POST /v1/tenants/{tenantId}/mail-config': {
    summary: 'Provision a tenant in mode 1 (its default support address)',
    description:
      'Creates the tenant with `support.<username>@<DEFAULT_SENDER_DOMAIN>` as its sender. The same username ' +
      'again answers 200 and records nothing; another username answers 409, and so does a username another ' +
      'tenant holds or held (an erased tenant keeps its address reserved).',
    answers: {
      201: VIEW('Provisioned; the answer carries an ETag for If-Match'),
      200: VIEW('Already provisioned with this username: nothing recorded'),
    },
    problems: ['USERNAME_CONFLICT', 'USERNAME_TAKEN', 'TENANT_ERASED', 'CONCURRENT_CHANGE', 'PAYLOAD_TOO_LARGE'],
    examples: { provision: { tenant: 'fresh', body: { username: 'acme-support' }, status: 201 } },
  },
  'GET /v1/tenants/{tenantId}/mail-config': {
    summary: "The tenant's mail configuration (now, or as it was at a time)",
    answers: { 200: VIEW('The view; secrets appear only as "set"; ETag = its version') },
    problems: ['NOT_PROVISIONED'],
    examples: { current: { tenant: 'provisioned', status: 200 } },
  },
  'DELETE /v1/tenants/{tenantId}/mail-config': {
    summary: 'Erase the tenant (crypto-shredding its secrets; the Gmail grant is revoked first)',
    answers: { 200: VIEW('Erased; the view says so') },
    problems: ['NOT_PROVISIONED', 'TENANT_ERASED', 'VERSION_MISMATCH'],
    examples: { erase: { tenant: 'provisioned', status: 200 } },
  },
  'PUT /v1/tenants/{tenantId}/mail-config/mode': {
    summary: 'Choose the active mode (default, gmail, microsoft or smtp)',
    description:
      'A mode that cannot be used yet (not authorized, not configured) answers 409; the same mode is a no-op.',
    answers: { 200: VIEW('The view in the chosen mode') },
    problems: [
      ...TENANT_WRITE,
      'GMAIL_NOT_AUTHORIZED',
      'MICROSOFT_NOT_AUTHORIZED',
      'SMTP_NOT_CONFIGURED',
      'SMTP_NOT_TESTED',
      'SMTP_TEST_FAILED',
    ],
    examples: { default: { tenant: 'provisioned', body: { mode: 'default' }, status: 200 } },
  },
  'PUT /v1/tenants/{tenantId}/mail-config/smtp': {
    summary: "Save the tenant's own SMTP server (the password is encrypted at rest)",
    description:
      'The password is required the first time, and again whenever host, port or username change: a saved ' +
      'password is only ever sent to the server it was saved for. `activate: true` also switches to smtp, ' +
      'after the Test passes on exactly these settings (409 with its stage and message when not; `force: true` ' +
      'activates anyway and is recorded).',
    answers: { 200: VIEW('Saved; the password shows only as passwordSet') },
    problems: [
      ...TENANT_WRITE,
      'SMTP_PASSWORD_REQUIRED',
      'CREDENTIAL_UNAVAILABLE',
      'SMTP_TARGET_FORBIDDEN',
      'SMTP_NOT_TESTED',
      'SMTP_TEST_FAILED',
    ],
    examples: {
      submission: {
        tenant: 'provisioned',
        body: {
          address: 'help@acme.example',
          password: 'app-password-from-your-provider',
          host: 'smtp.acme.example',
          port: 587,
          security: 'starttls',
        },
        status: 200,
      },
    },
  },
  'GET /v1/tenants/{tenantId}/mail-config/history': {
    summary: "The tenant's events, oldest first (secrets shown as [encrypted])",
    answers: { 200: { schema: 'HistoryPage', description: 'One page; nextCursor for the next' } },
    problems: ['NOT_PROVISIONED', 'INVALID_CURSOR'],
    examples: { all: { tenant: 'provisioned', query: { limit: '50' }, status: 200 } },
  },
  'POST /v1/tenants/{tenantId}/mail-config/smtp/test': {
    summary: 'The Test button: try an SMTP configuration and say where it stops',
    description:
      'Always 200 once a test ran: `ok`, the `stage` reached (policy, dns, connect, tls, auth, send, done) and a ' +
      "message in words with the server's own text. An empty body tests the saved configuration.",
    answers: { 200: { schema: 'SmtpTestReport', description: 'How far the test got, in words' } },
    problems: ['NOT_PROVISIONED', 'TENANT_ERASED', 'SMTP_NOT_CONFIGURED', 'SMTP_PASSWORD_REQUIRED'],
    examples: {
      candidate: {
        tenant: 'provisioned',
        body: {
          address: 'help@acme.example',
          password: 'app-password-from-your-provider',
          host: 'smtp.acme.example',
          port: 587,
          security: 'starttls',
        },
        status: 200,
      },
    },
  },
  'GET /v1/audit/events': {
    summary: "Every tenant's events (support)",
    answers: { 200: { schema: 'HistoryPage', description: 'One page, oldest first' } },
    problems: ['INVALID_CURSOR'],
    examples: { recent: { query: { limit: '20' }, status: 200 } },
  },
  'GET /v1/dashboard/summary': {
    summary: 'Counts for the support dashboard (by mode, failing, revoked)',
    answers: { 200: { schema: 'DashboardSummary', description: 'From the projections' } },
    problems: [],
    examples: { summary: { status: 200 } },
  },
  'GET /v1/dashboard/tenants': {
    summary: 'Tenants for the support dashboard, filtered and paged',
    answers: { 200: { schema: 'TenantPage', description: 'One page of tenant rows' } },
    problems: ['INVALID_CURSOR'],
    examples: { smtpTenants: { query: { mode: 'smtp', limit: '20' }, status: 200 } },
  },
  'POST /v1/tenants/{tenantId}/messages': {
    summary: "Send a message from the tenant's active mode",
    description:
      'Goes out from the active mode\u2019s address. A revoked Gmail/Microsoft grant falls back to the default ' +
      'address and says so. With Idempotency-Key the first outcome is returned for 24 h and nothing is sent twice.',
    answers: { 200: { schema: 'SendResult', description: 'Sent (or written to the outbox in a default install)' } },
    problems: [
      'NOT_PROVISIONED',
      'TENANT_ERASED',
      'PAYLOAD_TOO_LARGE',
      'IDEMPOTENCY_IN_PROGRESS',
      'IDEMPOTENCY_KEY_REUSED',
      'MODE_UNAVAILABLE',
      'DELIVERY_FAILED',
      'DELIVERY_UNCERTAIN',
      'CREDENTIAL_UNAVAILABLE',
      'INVALID_HEADER',
    ],
    examples: {
      reply: {
        tenant: 'provisioned',
        headers: { 'Idempotency-Key': 'ticket-42-reply-1' },
        body: { to: ['client@example.org'], subject: 'Re: Your ticket #42', text: 'We have fixed it.' },
        status: 200,
      },
    },
  },
  'GET /v1/tenants/{tenantId}/messages': {
    summary: 'The delivery log: messages the tenant sent or tried to send, newest first',
    answers: { 200: { schema: 'DeliveryLogAnswer', description: 'One page; nextCursor for older ones' } },
    problems: ['NOT_PROVISIONED', 'INVALID_CURSOR'],
    examples: { toClient: { tenant: 'provisioned', query: { to: 'client@example.org' }, status: 200 } },
  },
  'POST /v1/tenants/{tenantId}/mail-config/gmail/authorizations': {
    summary: "Start Gmail authorization: the URL of Google's consent screen",
    answers: { 201: { schema: 'GmailAuthorizationStarted', description: 'Open authorizationUrl in the browser' } },
    problems: ['NOT_PROVISIONED', 'TENANT_ERASED', 'INVALID_RETURN_URL', 'GOOGLE_NOT_CONFIGURED'],
    examples: { start: { tenant: 'provisioned', body: { returnUrl: 'http://localhost:3000/settings' }, status: 201 } },
  },
  'DELETE /v1/tenants/{tenantId}/mail-config/gmail/authorization': {
    summary: 'Withdraw the Gmail grant (revoked at Google, mode back to default)',
    description: 'Nothing to withdraw is not an error: the answer is the view as it is.',
    answers: { 200: VIEW('The view after the withdrawal') },
    problems: ['NOT_PROVISIONED', 'TENANT_ERASED', 'CONCURRENT_CHANGE'],
    examples: { withdraw: { tenant: 'provisioned', status: 200 } },
  },
  'GET /v1/oauth/google/callback': {
    summary: "Google's redirect back after consent (browser only)",
    answers: { 302: { schema: null, description: 'To the returnUrl with ?gmail=authorized|denied|error&reason=…' } },
    problems: [],
    examples: { notRunnable: 'needs a consent round trip at Google: test/e2e/gmail-authorization.e2e.spec.ts' },
  },
  'GET /v1/capabilities': {
    summary: 'Which modes this deployment offers, and its limits',
    answers: { 200: { schema: 'Capabilities', description: 'Read off the configuration' } },
    problems: [],
    examples: { capabilities: { status: 200 } },
  },
  'POST /v1/tenants/{tenantId}/settings-sessions': {
    summary: "A one-time link to the tenant's settings page",
    answers: { 201: { schema: 'SettingsLinkCreated', description: 'Open url within 5 minutes, once' } },
    problems: ['NOT_PROVISIONED', 'TENANT_ERASED', 'INVALID_RETURN_URL'],
    examples: { link: { tenant: 'provisioned', body: { actor: 'jane@acme.example' }, status: 201 } },
  },
  'POST /v1/tenants/{tenantId}/mail-config/microsoft/authorizations': {
    summary: "Start Microsoft 365 authorization: the URL of Microsoft's consent screen",
    answers: {
      201: { schema: 'MicrosoftAuthorizationStarted', description: 'Open authorizationUrl in the browser' },
    },
    problems: ['NOT_PROVISIONED', 'TENANT_ERASED', 'INVALID_RETURN_URL', 'MICROSOFT_NOT_CONFIGURED'],
    examples: {
      notConfigured: { tenant: 'provisioned', body: { returnUrl: 'http://localhost:3000/settings' }, status: 503 },
    },
  },
  'DELETE /v1/tenants/{tenantId}/mail-config/microsoft/authorization': {
    summary: 'Forget the Microsoft 365 grant (and say where the tenant removes the app)',
    answers: { 200: { schema: 'MicrosoftRevocationAnswer', description: 'The view, and removeAccessAt' } },
    problems: ['NOT_PROVISIONED', 'TENANT_ERASED', 'MICROSOFT_NOT_AUTHORIZED', 'MICROSOFT_NOT_CONFIGURED'],
    examples: { notConfigured: { tenant: 'provisioned', status: 503 } },
  },
  'GET /v1/oauth/microsoft/callback': {
    summary: "Microsoft's redirect back after consent (browser only)",
    answers: {
      302: { schema: null, description: 'To the returnUrl with ?microsoft=authorized|denied|error&reason=…' },
    },
    problems: [],
    examples: { notRunnable: 'needs a consent round trip: test/e2e/microsoft-authorization.e2e.spec.ts' },
  },
  'PUT /v1/tenants/{tenantId}/mail-config/display-name': {
    summary: 'Set the display name of the From in every mode ("Acme Support" <support.acme@…>)',
    answers: { 200: VIEW('The view with displayName') },
    problems: [...TENANT_WRITE, 'INVALID_DISPLAY_NAME'],
    examples: { name: { tenant: 'provisioned', body: { displayName: 'Acme Support' }, status: 200 } },
  },
  'GET /v1/dashboard/tenants/{tenantId}': {
    summary: 'One tenant for the support panel: its row, configuration in words and last outcomes',
    answers: { 200: { schema: 'TenantPanelRecord', description: 'From the projections' } },
    problems: ['NOT_PROVISIONED'],
    examples: { panel: { tenant: 'provisioned', status: 200 } },
  },
  'GET /v1/dashboard/tenants/{tenantId}/history': {
    summary: 'The tenant history with each event described in plain language',
    answers: { 200: { schema: 'DescribedHistoryPage', description: 'One page, each event with a description' } },
    problems: ['NOT_PROVISIONED', 'INVALID_CURSOR'],
    examples: { history: { tenant: 'provisioned', status: 200 } },
  },
  'GET /v1/dashboard/tenants/{tenantId}/messages': {
    summary: "The tenant's delivery log for the support panel, newest first (same filters as the tenant route)",
    answers: { 200: { schema: 'DeliveryLogAnswer', description: 'One page; nextCursor for older ones' } },
    problems: ['NOT_PROVISIONED', 'INVALID_CURSOR'],
    examples: {
      failedToClient: { tenant: 'provisioned', query: { to: 'client@example.org', outcome: 'failed' }, status: 200 },
    },
  },
  'POST /v1/dashboard/tenants/{tenantId}/smtp-test': {
    summary: 'Re-run the SMTP test on the saved configuration (recorded, the agent as actor)',
    answers: { 200: { schema: 'SmtpTestReport', description: 'How far the test got, in words' } },
    problems: ['NOT_PROVISIONED', 'TENANT_ERASED', 'SMTP_NOT_CONFIGURED', 'CREDENTIAL_UNAVAILABLE'],
    examples: { notConfigured: { tenant: 'provisioned', status: 409 } },
  },
  'POST /v1/dashboard/tenants/{tenantId}/test-message': {
    summary: 'Send a test message from the active mode to one address (recorded as TestMessageSent)',
    answers: { 200: { schema: 'TestMessageOutcome', description: 'Sent or not, and where it stopped' } },
    problems: ['NOT_PROVISIONED', 'TENANT_ERASED', 'MODE_UNAVAILABLE', 'CREDENTIAL_UNAVAILABLE'],
    examples: { toAgent: { tenant: 'provisioned', body: { to: 'agent@example.org' }, status: 200 } },
  },
  'POST /v1/dashboard/tenants/{tenantId}/settings-link': {
    summary: 'A single-use settings-page link for the tenant (recorded as SettingsLinkIssued)',
    answers: { 201: { schema: 'SettingsLinkCreated', description: 'Open url within 5 minutes, once' } },
    problems: ['NOT_PROVISIONED', 'TENANT_ERASED'],
    examples: { link: { tenant: 'provisioned', status: 201 } },
  },
  'GET /v1/webhooks/deliveries': {
    summary: 'Webhook deliveries to the main application (support): failed ones to replay, pending, delivered',
    answers: { 200: { schema: 'WebhookDeliveryPageView', description: 'One page of deliveries' } },
    problems: ['WEBHOOKS_NOT_CONFIGURED', 'INVALID_CURSOR'],
    examples: { failed: { query: { status: 'failed' }, status: 200 } },
  },
  'POST /v1/webhooks/deliveries/{id}/replay': {
    summary: 'Deliver a failed webhook again (same webhook-id), recorded with the agent',
    answers: { 202: { schema: 'WebhookDeliveryView', description: 'Queued again; delivered within moments' } },
    problems: ['WEBHOOKS_NOT_CONFIGURED', 'WEBHOOK_DELIVERY_NOT_FOUND', 'WEBHOOK_DELIVERY_PENDING'],
    examples: { unknown: { path: { id: 'msg_00000000-0000-0000-0000-000000000000' }, status: 404 } },
  },
  'GET /v1/oauth/google/authorize': {
    summary: "The consent link handed out: binds the consent to this browser, then on to Google's screen",
    description:
      'Opened once, by the browser that is to finish the consent: sets a short-lived HttpOnly cookie the ' +
      'callback checks (RFC 9700 \u00a74.7), then redirects to Google. A second opening or a forged link goes ' +
      'back to the returnUrl with gmail=error&reason=state_invalid.',
    answers: { 302: { schema: null, description: "To Google's consent screen (or back with an error)" } },
    problems: [],
    examples: { notRunnable: 'a one-time link from a consent start: test/security/consent-browser.security.spec.ts' },
  },
  'GET /v1/oauth/microsoft/authorize': {
    summary: "The consent link handed out: binds the consent to this browser, then on to Microsoft's screen",
    description:
      'Opened once, by the browser that is to finish the consent: sets a short-lived HttpOnly cookie the ' +
      'callback checks (RFC 9700 \u00a74.7), then redirects to Microsoft. A second opening or a forged link ' +
      'goes back to the returnUrl with microsoft=error&reason=state_invalid.',
    answers: { 302: { schema: null, description: "To Microsoft's consent screen (or back with an error)" } },
    problems: [],
    examples: { notRunnable: 'a one-time link from a consent start: test/security/consent-browser.security.spec.ts' },
  },
};
