import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { domainToASCII } from 'node:url';
import { IsMailbox } from '../common/mailbox';

export const NO_CONTROL = /^[^\x00-\x1f\x7f]*$/;

/** A DNS label: 1–63 characters, no hyphen at either end. */
const LABEL = '[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?';
/** An IP literal (v4, or v6 in brackets or not) or a DNS name. */
export const HOST = new RegExp(
  `^(?=.{1,253}$)(\\[[0-9a-f:.]+\\]|[0-9a-f:]*:[0-9a-f:.]+|(${LABEL})(\\.${LABEL})*)$`,
  'i',
);

/**
 * One spelling per host, so policy checks and the stored value agree: IDN to punycode (UTS #46,
 * which also folds full-width forms), lower case, no trailing dot. A name IDNA refuses is kept
 * as sent and fails the HOST pattern.
 */
export function normaliseHost(raw: string): string {
  const trimmed = raw.trim();
  const ascii = /[^\x00-\x7f]/.test(trimmed) ? domainToASCII(trimmed) || trimmed : trimmed;
  return ascii.toLowerCase().replace(/\.$/, '');
}

/** Applies like decorators stacked in this order (bottom-up), so messages keep their order. */
const stack = (...decorators: PropertyDecorator[]) => applyDecorators(...decorators.reverse());

/**
 * The validation of each SMTP settings field, shared by PUT …/smtp and the Test button so both
 * accept and refuse exactly the same values. Messages name the field and never echo the value.
 */
export const SmtpField = {
  address: () =>
    stack(
      Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
      IsMailbox({ message: 'address must be an email address' }),
      MaxLength(254, { message: 'address must be at most 254 characters' }),
      Matches(NO_CONTROL, { message: 'address must not contain control characters' }),
    ),
  password: () =>
    stack(
      IsString({ message: 'password must be a string' }),
      Length(1, 1024, { message: 'password must be 1-1024 characters' }),
      Matches(NO_CONTROL, { message: 'password must not contain control characters' }),
    ),
  host: () =>
    stack(
      Transform(({ value }) => (typeof value === 'string' ? normaliseHost(value) : value)),
      IsString({ message: 'host must be a string' }),
      Matches(HOST, { message: 'host must be a DNS name or an IP address of at most 253 characters' }),
    ),
  port: () =>
    stack(
      IsInt({ message: 'port must be an integer' }),
      Min(1, { message: 'port must be 1-65535' }),
      Max(65535, { message: 'port must be 1-65535' }),
    ),
  security: () => IsIn(['tls', 'starttls', 'none'], { message: 'security must be one of tls, starttls, none' }),
  username: () =>
    stack(
      IsString({ message: 'username must be a string' }),
      Length(1, 320, { message: 'username must be 1-320 characters' }),
      Matches(NO_CONTROL, { message: 'username must not contain control characters' }),
    ),
  activate: () => IsBoolean({ message: 'activate must be a boolean' }),
  force: () => IsBoolean({ message: 'force must be a boolean' }),
};
