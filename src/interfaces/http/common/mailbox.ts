import { isEmail, ValidateBy, type ValidationOptions } from 'class-validator';

/** RFC 5322 atext, and (RFC 6532) any non-ASCII character that is not a control, format or space. */
const ATEXT = "(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]|(?![\\p{Cc}\\p{Cf}\\p{Z}])[^\\x00-\\x7f])";
const DOT_ATOM = new RegExp(`^${ATEXT}+(?:\\.${ATEXT}+)*$`, 'u');

/**
 * Exactly one mailbox, `local@domain`, with a dot-atom local part. A quoted local part such as
 * `"a@x.example,b@y.example"@example.org` is a valid address to isEmail, but mail libraries may
 * read it as a list, so one item would reach several people past the recipient cap.
 */
export function isMailbox(value: unknown): boolean {
  if (typeof value !== 'string' || !isEmail(value)) return false;
  const at = value.lastIndexOf('@');
  return DOT_ATOM.test(value.slice(0, at)) && !/[\s"\\,;:<>()[\]]/.test(value.slice(at + 1));
}

/** Like IsEmail, but one plain mailbox only (see isMailbox). */
export const IsMailbox = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy({ name: 'isMailbox', validator: { validate: isMailbox } }, options);
