import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBase64,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsMailbox } from '../common/mailbox';

/** Header fields: CR or LF (or any control character) would let a value start a header of its own. */
const NO_CONTROL = /^[^\x00-\x1f\x7f]*$/;
const MIME_TYPE =
  /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64}(\s*;\s*[a-z0-9_-]+=("[^"\x00-\x1f]*"|[^;\s"\x00-\x1f]+))*$/i;
const recipients = (field: string) => [
  IsMailbox({ each: true, message: `${field} must hold email addresses` }),
  Matches(NO_CONTROL, { each: true, message: `${field} must not contain CR, LF or other control characters` }),
  ArrayMaxSize(100, { message: `${field} may hold at most 100 addresses` }),
];
const apply =
  (decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) =>
    decorators.forEach((d) => d(target, key));

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
  @ArrayMaxSize(20, { message: 'attachments may hold at most 20 files' })
  @ValidateNested({ each: true })
  @Type(() => AttachmentDto)
  attachments?: AttachmentDto[];
}
