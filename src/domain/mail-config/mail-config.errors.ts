/** Codes are the contract between the domain and the interface layer's problem mapping. */
export type MailConfigErrorCode =
  | 'NOT_PROVISIONED'
  | 'USERNAME_CONFLICT'
  | 'GMAIL_NOT_AUTHORIZED'
  | 'GMAIL_SCOPE_MISSING'
  | 'SMTP_NOT_CONFIGURED'
  | 'SMTP_PASSWORD_REQUIRED'
  | 'SMTP_NOT_ACTIVE_MODE'
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
