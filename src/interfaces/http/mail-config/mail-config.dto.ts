import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MODES, Mode, SmtpSecurity } from '../../../domain/mail-config/mail-config.types';

const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);
const NO_CONTROL = /^[^\x00-\x1f\x7f]*$/;

export class ProvisionDto {
  @ApiProperty({ example: 'acme', description: '1-40 chars of [a-z0-9._-], lower-cased' })
  @Transform(lower)
  @IsString({ message: 'username must be a string' })
  @Matches(/^[a-z0-9._-]{1,40}$/, { message: 'username must be 1-40 characters of a-z, 0-9, ".", "_" or "-"' })
  username: string;
}

export class ChangeModeDto {
  @ApiProperty({ enum: MODES })
  @IsIn(MODES as Mode[], { message: 'mode must be one of default, gmail, smtp' })
  mode: Mode;
}

/** An IP literal (v4, or v6 in brackets or not) or a DNS name; normalised to lower case without a trailing dot. */
const HOST = /^(?=.{1,253}$)(\[[0-9a-f:.]+\]|[0-9a-f:]*:[0-9a-f:.]+|([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*)$/i;

export class SmtpSettingsDto {
  @ApiProperty({ example: 'help@acme.example' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsEmail({}, { message: 'address must be an email address' })
  @MaxLength(254, { message: 'address must be at most 254 characters' })
  @Matches(NO_CONTROL, { message: 'address must not contain control characters' })
  address: string;

  @ApiPropertyOptional({ description: 'Required the first time; left out later, the stored one is kept', writeOnly: true })
  @IsOptional()
  @IsString({ message: 'password must be a string' })
  @Length(1, 1024, { message: 'password must be 1-1024 characters' })
  @Matches(NO_CONTROL, { message: 'password must not contain control characters' })
  password?: string;

  @ApiProperty({ example: 'smtp.acme.example' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase().replace(/\.$/, '') : value))
  @IsString({ message: 'host must be a string' })
  @Matches(HOST, { message: 'host must be a DNS name or an IP address of at most 253 characters' })
  host: string;

  @ApiProperty({ example: 587 })
  @IsInt({ message: 'port must be an integer' })
  @Min(1, { message: 'port must be 1-65535' })
  @Max(65535, { message: 'port must be 1-65535' })
  port: number;

  @ApiPropertyOptional({ enum: ['tls', 'starttls', 'none'], description: 'Defaults from the port: 465 → tls, else starttls' })
  @IsOptional()
  @IsIn(['tls', 'starttls', 'none'], { message: 'security must be one of tls, starttls, none' })
  security?: SmtpSecurity;

  @ApiPropertyOptional({ description: 'Defaults to address' })
  @IsOptional()
  @IsString({ message: 'username must be a string' })
  @Length(1, 320, { message: 'username must be 1-320 characters' })
  @Matches(NO_CONTROL, { message: 'username must not contain control characters' })
  username?: string;

  @ApiPropertyOptional({ description: 'Also switch the mode to smtp in the same append' })
  @IsOptional()
  @IsBoolean({ message: 'activate must be a boolean' })
  activate?: boolean;
}

export class ViewQueryDto {
  @ApiPropertyOptional({ description: 'ISO 8601 time: the configuration as it was then' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'at must be an ISO 8601 time' })
  at?: string;
}

export class HistoryQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 time' })
  since?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 time' })
  until?: string;

  @ApiPropertyOptional({ type: [String], description: 'Event type; repeatable' })
  @IsOptional()
  @Transform(({ value }) => (Array.isArray(value) ? value : [value]))
  @IsString({ each: true, message: 'type must be an event type name' })
  @Matches(/^[A-Za-z]{1,64}$/, { each: true, message: 'type must be an event type name' })
  type?: string[];

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer 1-500' })
  @Min(1, { message: 'limit must be an integer 1-500' })
  @Max(500, { message: 'limit must be an integer 1-500' })
  limit?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'cursor must be a string' })
  @MaxLength(200, { message: 'cursor is too long' })
  cursor?: string;
}
