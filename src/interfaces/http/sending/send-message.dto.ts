import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBase64,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import {
  CUSTOM_HEADER_VALUE_MAX,
  customHeadersProblem,
  isMessageId,
  MAX_CUSTOM_HEADERS,
  MAX_REFERENCES,
  messageIdMessage,
  RESERVED_HEADER_PREFIXES,
} from '../../../application/sending/message-headers';
import { DISPLAY_NAME_DOC, IsDisplayName } from '../common/display-name';
import { HTTP_LIMITS } from '../common/limits';
import { IsMailbox } from '../common/mailbox';

/** Header fields: CR or LF (or any control character) would let a value start a header of its own. */
const NO_CONTROL = /^[^\x00-\x1f\x7f]*$/;
const MIME_TYPE =
  /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64}(\s*;\s*[a-z0-9_-]+=("[^"\x00-\x1f]*"|[^;\s"\x00-\x1f]+))*$/i;
const recipients = (field: string) => [
  IsMailbox({ each: true, message: `${field} must hold email addresses` }),
  Matches(NO_CONTROL, { each: true, message: `${field} must not contain CR, LF or other control characters` }),
  ArrayMaxSize(HTTP_LIMITS.recipientsPerField, {
    message: `${field} may hold at most ${HTTP_LIMITS.recipientsPerField} addresses`,
  }),
];
const apply =
  (decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) =>
    decorators.forEach((d) => d(target, key));

const IsMessageId = (field: (index?: number) => string, options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isMessageId',
      validator: {
        validate: isMessageId,
        defaultMessage: (args) => {
          const list = args ? (args.object as Record<string, unknown>)[args.property] : undefined;
          return messageIdMessage(field(Array.isArray(list) ? list.findIndex((v) => !isMessageId(v)) : undefined));
        },
      },
    },
    options,
  );

/** The allow-list rule of application/sending/message-headers.ts; the message names the header at fault. */
const IsCustomHeaders = (): PropertyDecorator =>
  ValidateBy({
    name: 'isCustomHeaders',
    validator: {
      validate: (value: unknown) => customHeadersProblem(value) === null,
      defaultMessage: (args) => customHeadersProblem(args?.value)?.message ?? 'headers are invalid',
    },
  });

export class AttachmentDto {
  @ApiProperty({ example: 'invoice.pdf' })
  @IsString({ message: 'filename must be a string' })
  @Length(1, 255, { message: 'filename must be 1-255 characters' })
  @Matches(NO_CONTROL, { message: 'filename must not contain CR, LF or other control characters' })
  filename: string;

  @ApiProperty({ example: 'application/pdf' })
  @IsString({ message: 'contentType must be a string' })
  @Matches(MIME_TYPE, { message: 'contentType must be a MIME type such as application/pdf, without CR or LF' })
  contentType: string;

  @ApiProperty({ description: 'The file, base64-encoded' })
  @IsString({ message: 'contentBase64 must be a string' })
  @IsBase64({}, { message: 'contentBase64 must be base64' })
  contentBase64: string;
}

export class SendMessageDto {
  @ApiProperty({ type: [String], example: ['customer@example.org'] })
  @IsArray({ message: 'to must be an array of email addresses' })
  @ArrayMinSize(1, { message: 'to must hold at least one address' })
  @apply(recipients('to'))
  to: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray({ message: 'cc must be an array of email addresses' })
  @apply(recipients('cc'))
  cc?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray({ message: 'bcc must be an array of email addresses' })
  @apply(recipients('bcc'))
  bcc?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsMailbox({ message: 'replyTo must be an email address' })
  @Matches(NO_CONTROL, { message: 'replyTo must not contain CR, LF or other control characters' })
  replyTo?: string;

  @ApiProperty({ example: 'Your ticket #123' })
  @IsString({ message: 'subject must be a string' })
  @MaxLength(998, { message: 'subject must be at most 998 characters' })
  @Matches(NO_CONTROL, { message: 'subject must not contain CR, LF or other control characters' })
  subject: string;

  @ApiPropertyOptional({ description: 'At least one of text and html' })
  @ValidateIf((o: SendMessageDto) => o.html === undefined || o.text !== undefined)
  @IsString({ message: 'text must be a string; at least one of text and html is required' })
  text?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'html must be a string' })
  html?: string;

  @ApiPropertyOptional({ type: [AttachmentDto] })
  @IsOptional()
  @IsArray({ message: 'attachments must be an array' })
  @ArrayMaxSize(HTTP_LIMITS.attachmentsPerMessage, {
    message: `attachments may hold at most ${HTTP_LIMITS.attachmentsPerMessage} files`,
  })
  @ValidateNested({ each: true })
  @Type(() => AttachmentDto)
  attachments?: AttachmentDto[];

  @ApiPropertyOptional({
    example: 'Ana from Acme Support',
    description: `This message's From display name, over the tenant's displayName: ${DISPLAY_NAME_DOC}`,
  })
  @IsOptional()
  @IsDisplayName('fromName')
  fromName?: string;

  @ApiPropertyOptional({
    example: '<CAF=abc123@mail.example.org>',
    description: 'In-Reply-To: the message id (with its angle brackets) this message answers',
  })
  @IsOptional()
  @IsMessageId(() => 'inReplyTo')
  inReplyTo?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['<first@mail.example.org>', '<CAF=abc123@mail.example.org>'],
    description: `References: the conversation's message ids, oldest first (at most ${MAX_REFERENCES})`,
  })
  @IsOptional()
  @IsArray({ message: 'references must be an array of message ids' })
  @ArrayMaxSize(MAX_REFERENCES, { message: `references may hold at most ${MAX_REFERENCES} message ids` })
  @IsMessageId((i) => (i === undefined || i < 0 ? 'references' : `references[${i}]`), { each: true })
  references?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { 'X-Ticket-Id': '4711' },
    description:
      `Custom headers, at most ${MAX_CUSTOM_HEADERS}: names are X- followed by 1-62 letters, digits or hyphens ` +
      `(unique regardless of case), not starting with ${RESERVED_HEADER_PREFIXES.join(', ')}; ` +
      `values 1-${CUSTOM_HEADER_VALUE_MAX} characters without control characters (non-ASCII is MIME-encoded)`,
  })
  @IsOptional()
  @IsObject({ message: 'headers must be an object of header names to values' })
  @IsCustomHeaders()
  headers?: Record<string, string>;
}
