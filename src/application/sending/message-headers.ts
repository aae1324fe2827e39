import { displayNameProblem } from '../../domain/mail-config/mail-config.types';
import { ApplicationError } from '../common/application-error';

/**
 * The help-desk headers a caller may set on a message, and their rules, written once: the HTTP
 * DTO refuses with them, and the send use case checks them again before anything is handed to a
 * transport (a message reaching a mode sender never holds a forged header).
 */

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const DOT_ATOM = `${ATEXT}+(?:\\.${ATEXT}+)*`;
/** RFC 5322 msg-id: `<id-left@id-right>`, dot-atom on both sides (or a domain literal on the right). */
const MESSAGE_ID = new RegExp(`^<${DOT_ATOM}@(?:${DOT_ATOM}|\\[[\\x21-\\x5a\\x5e-\\x7e]*\\])>$`);
export const MESSAGE_ID_MAX = 250;
export const MAX_REFERENCES = 100;

export function isMessageId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MESSAGE_ID_MAX && MESSAGE_ID.test(value);
}

/**
 * Custom headers: an allow-list by rule. A name is `X-` followed by 1-62 letters, digits or
 * hyphens, and does not start with a prefix that mailbox providers, spam filters or relays set
 * and trust themselves (a caller must not forge a spam verdict, an origin or a provider's own
 * header). Names are unique regardless of case; at most 20 headers; a value is 1-900 characters,
 * no control character (non-ASCII is fine: it is MIME-encoded).
 */
export const CUSTOM_HEADER_NAME = /^X-[A-Za-z0-9][A-Za-z0-9-]{0,61}$/i;
export const RESERVED_HEADER_PREFIXES: readonly string[] = [
  'X-Google-',
  'X-Gm-',
  'X-MS-',
  'X-Microsoft-',
  'X-Forefront-',
  'X-Spam',
  'X-Virus',
  'X-Original',
  'X-Forwarded',
  'X-Originating',
  'X-Received',
  'X-Envelope',
  'X-Sender',
  'X-Auth',
];
export const MAX_CUSTOM_HEADERS = 20;
export const CUSTOM_HEADER_VALUE_MAX = 900;

// C0 (CR, LF, TAB…), DEL, C1 and the line/paragraph separators some mail software breaks lines at.
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/;
const NO_CONTROL_MESSAGE = 'must not contain CR, LF or other control characters';

export interface FieldProblem {
  field: string;
  message: string;
}

/** The first problem of a custom header set, naming the header (`headers.X-Ticket`), or null. */
export function customHeadersProblem(headers: unknown): FieldProblem | null {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    return { field: 'headers', message: 'headers must be an object of header names to values' };
  }
  const entries = Object.entries(headers);
  if (entries.length > MAX_CUSTOM_HEADERS) {
    return { field: 'headers', message: `headers may hold at most ${MAX_CUSTOM_HEADERS} headers` };
  }
  const seen = new Set<string>();
  for (const [name, value] of entries) {
    // The name is the caller's and may itself hold a line break: then it is not echoed.
    if (CONTROL.test(name)) return { field: 'headers', message: `a header name ${NO_CONTROL_MESSAGE}` };
    const field = `headers.${name}`;
    const problem = (message: string) => ({ field, message: `header ${name} ${message}` });
    if (!CUSTOM_HEADER_NAME.test(name)) {
      return problem('is not allowed: custom headers are named X- followed by 1-62 letters, digits or hyphens');
    }
    const reserved = RESERVED_HEADER_PREFIXES.find((p) => name.toLowerCase().startsWith(p.toLowerCase()));
    if (reserved) return problem(`is not allowed: ${reserved}… headers are set by mail systems`);
    if (seen.has(name.toLowerCase())) return problem('is given more than once');
    seen.add(name.toLowerCase());
    if (typeof value !== 'string') return problem('must be a string');
    if (value.length === 0 || value.length > CUSTOM_HEADER_VALUE_MAX) {
      return problem(`must be 1-${CUSTOM_HEADER_VALUE_MAX} characters`);
    }
    if (CONTROL.test(value)) return problem(NO_CONTROL_MESSAGE);
  }
  return null;
}

/** What the send use case checks of the help-desk headers of a message. */
export interface HelpDeskHeaders {
  fromName?: string;
  inReplyTo?: string;
  references?: string[];
  headers?: Record<string, string>;
}

/**
 * Every help-desk header of a message checked; throws INVALID_HEADER (400 naming the field) at
 * the first problem. Nothing has been sent when it throws.
 */
export function requireSafeHeaders(input: HelpDeskHeaders): void {
  const problem = helpDeskHeadersProblem(input);
  if (problem) throw new ApplicationError('INVALID_HEADER', problem.message, problem.field);
}

function helpDeskHeadersProblem({ fromName, inReplyTo, references, headers }: HelpDeskHeaders): FieldProblem | null {
  if (fromName !== undefined) {
    const message = typeof fromName === 'string' ? displayNameProblem('fromName', fromName) : 'fromName must be text';
    if (message) return { field: 'fromName', message };
  }
  if (inReplyTo !== undefined && !isMessageId(inReplyTo)) {
    return { field: 'inReplyTo', message: messageIdMessage('inReplyTo') };
  }
  if (references !== undefined) {
    if (!Array.isArray(references) || references.length > MAX_REFERENCES) {
      return { field: 'references', message: `references must be a list of at most ${MAX_REFERENCES} message ids` };
    }
    const at = references.findIndex((r) => !isMessageId(r));
    if (at >= 0) return { field: `references[${at}]`, message: messageIdMessage(`references[${at}]`) };
  }
  return headers === undefined ? null : customHeadersProblem(headers);
}

export function messageIdMessage(field: string): string {
  return `${field} must be a message id such as <id@example.org> (no spaces, CR, LF or other control characters)`;
}
