/**
 * An error a use case reports on purpose. Like the domain's MailConfigError it carries a stable
 * code; the interface layer's one table maps codes to problem documents (nothing below it knows
 * HTTP). `field` names the request field at fault, `details` are safe extra members of the
 * problem (never a secret).
 */
export class ApplicationError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
