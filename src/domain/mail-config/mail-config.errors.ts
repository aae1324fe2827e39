/** Codes are the contract between the domain and the interface layer's problem mapping. */
export type MailConfigErrorCode =
  | 'NOT_PROVISIONED'
  | 'USERNAME_CONFLICT'
  | 'GMAIL_NOT_AUTHORIZED'
  | 'GMAIL_SCOPE_MISSING'
  | 'MICROSOFT_NOT_AUTHORIZED'
  | 'MICROSOFT_SCOPE_MISSING'
  | 'SMTP_NOT_CONFIGURED'
  | 'SMTP_PASSWORD_REQUIRED'
  | 'INVALID_DISPLAY_NAME'
  | 'SMTP_NOT_TESTED'
  | 'TENANT_ERASED';

export class MailConfigError extends Error {
  constructor(
    readonly code: MailConfigErrorCode,
    message: string,
    /** The request field the error is about, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'MailConfigError';
  }
}

/** The tenant-lifecycle errors, worded once: every layer that refuses a missing or erased tenant uses these. */
export function notProvisioned(): MailConfigError {
  return new MailConfigError('NOT_PROVISIONED', 'This tenant’s mail configuration has not been provisioned');
}

export function tenantErased(): MailConfigError {
  return new MailConfigError('TENANT_ERASED', 'This tenant’s mail configuration was erased');
}
