import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../common/page-query.dto';
import { DISPLAY_NAME_DOC, IsDisplayName } from '../common/display-name';
import { SmtpField } from './smtp-fields';
import { MODES, Mode, SmtpSecurity } from '../../../domain/mail-config/mail-config.types';

const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export class ProvisionDto {
  @ApiProperty({ example: 'acme', description: '1-40 chars of [a-z0-9._-], lower-cased' })
  @Transform(lower)
  @IsString({ message: 'username must be a string' })
  @Matches(/^[a-z0-9._-]{1,40}$/, { message: 'username must be 1-40 characters of a-z, 0-9, ".", "_" or "-"' })
  // support.<username>@… must stay a valid address: no dot at either end, no two dots in a row.
  @Matches(/^(?!\.)(?!.*\.\.)(?!.*\.$)/, { message: 'username must not start or end with "." or hold ".."' })
  username: string;

  @ApiPropertyOptional({
    example: 'Acme Support',
    description: `The From's display name in every mode ("Acme Support" <support.acme@…>): ${DISPLAY_NAME_DOC}`,
  })
  @IsOptional()
  @IsDisplayName('displayName')
  displayName?: string;
}

export class DisplayNameDto {
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Acme Support',
    description: `${DISPLAY_NAME_DOC}; null clears it (the From is then the bare address)`,
  })
  @ValidateIf((o: DisplayNameDto) => o.displayName !== null)
  @IsDisplayName('displayName')
  displayName: string | null;
}

export class ChangeModeDto {
  @ApiProperty({ enum: MODES })
  @IsIn(MODES as Mode[], { message: `mode must be one of ${MODES.join(', ')}` })
  mode: Mode;

  @ApiPropertyOptional({
    description:
      'Extension. Switching to smtp runs the Test on the saved settings first; true switches without it ' +
      '(recorded as forced in ModeChanged)',
  })
  @IsOptional()
  @SmtpField.force()
  force?: boolean;
}

export class SmtpSettingsDto {
  @ApiProperty({ example: 'help@acme.example' })
  @SmtpField.address()
  address: string;

  @ApiPropertyOptional({
    description: 'Required the first time; left out later, the stored one is kept',
    writeOnly: true,
  })
  @IsOptional()
  @SmtpField.password()
  password?: string;

  @ApiProperty({ example: 'smtp.acme.example' })
  @SmtpField.host()
  host: string;

  @ApiProperty({ example: 587 })
  @SmtpField.port()
  port: number;

  @ApiPropertyOptional({
    enum: ['tls', 'starttls', 'none'],
    description: 'Defaults from the port: 465 → tls, else starttls',
  })
  @IsOptional()
  @SmtpField.security()
  security?: SmtpSecurity;

  @ApiPropertyOptional({ description: 'Defaults to address' })
  @IsOptional()
  @SmtpField.username()
  username?: string;

  @ApiPropertyOptional({
    description: 'Also switch the mode to smtp in the same append, once the Test passed on these settings',
  })
  @IsOptional()
  @SmtpField.activate()
  activate?: boolean;

  @ApiPropertyOptional({
    description: 'Extension. With activate: activate without the Test (recorded as forced in ModeChanged)',
  })
  @IsOptional()
  @SmtpField.force()
  force?: boolean;
}

export class ViewQueryDto {
  @ApiPropertyOptional({ description: 'ISO 8601 time: the configuration as it was then' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'at must be an ISO 8601 time' })
  at?: string;
}

export class HistoryQueryDto extends PageQueryDto {
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
}
