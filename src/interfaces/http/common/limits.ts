/**
 * The request limits of the HTTP interface, in one place: the body parsers and validators apply
 * them, and `GET /v1/capabilities` states them.
 */
export const HTTP_LIMITS = {
  /** The send route's body: attachments travel base64-encoded inside it. */
  sendBodyBytes: 10 * 1024 * 1024,
  /** Every other route's body. */
  bodyBytes: 64 * 1024,
  /** Addresses in each of to, cc and bcc. */
  recipientsPerField: 100,
  attachmentsPerMessage: 20,
} as const;
