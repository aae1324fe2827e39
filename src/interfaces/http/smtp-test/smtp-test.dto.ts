import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsOptional, Matches, ValidateIf } from 'class-validator';
import { SmtpSecurity } from '../../../domain/mail-config/mail-config.types';
import { NO_CONTROL, SmtpField } from '../mail-config/smtp-fields';
import { IsMailbox } from '../common/mailbox';

const CANDIDATE_FIELDS = ['address', 'host', 'port', 'security', 'username', 'password'] as const;

/** Any settings field in the body means "test these", and then address, host and port are required. */
export function isCandidate(body: SmtpTestDto): boolean {
  return CANDIDATE_FIELDS.some((f) => body[f] !== undefined);
}

/** Empty: test the saved configuration. Otherwise the PUT …/smtp fields of a candidate. */
export class SmtpTestDto {
  @ApiPropertyOptional({ example: 'help@acme.example' })
  @ValidateIf(isCandidate)
  @IsDefined({ message: 'address is required when testing settings' })
  @SmtpField.address()
  address?: string;

  @ApiPropertyOptional({ writeOnly: true, description: 'Left out: the saved password is used' })
  @IsOptional()
  @SmtpField.password()
  password?: string;

  @ApiPropertyOptional({ example: 'smtp.acme.example' })
  @ValidateIf(isCandidate)
  @IsDefined({ message: 'host is required when testing settings' })
  @SmtpField.host()
  host?: string;

  @ApiPropertyOptional({ example: 587 })
  @ValidateIf(isCandidate)
  @IsDefined({ message: 'port is required when testing settings' })
  @SmtpField.port()
  port?: number;

  @ApiPropertyOptional({ enum: ['tls', 'starttls', 'none'] })
  @IsOptional()
  @SmtpField.security()
  security?: SmtpSecurity;

  @ApiPropertyOptional()
  @IsOptional()
  @SmtpField.username()
  username?: string;

  @ApiPropertyOptional({ description: 'Accepted for symmetry with PUT …/smtp; a test never saves or activates' })
  @IsOptional()
  @SmtpField.activate()
  activate?: boolean;

  @ApiPropertyOptional({ description: 'Also deliver a short test message to this address (and nobody else)' })
  @IsOptional()
  @IsMailbox({ message: 'sendTo must be an email address' })
  @Matches(NO_CONTROL, { message: 'sendTo must not contain control characters' })
  sendTo?: string;
}
