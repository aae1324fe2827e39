import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsMailbox } from '../common/mailbox';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { TenantStatus } from '../../../application/ports/read-model.port';
import { Mode, MODES } from '../../../domain/mail-config/mail-config.types';
import { PageQueryDto } from '../common/page-query.dto';

const STATUSES: TenantStatus[] = ['ok', 'needs_attention', 'erased'];

export class TenantListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: MODES })
  @IsOptional()
  @IsIn(MODES as Mode[], { message: `mode must be one of ${MODES.join(', ')}` })
  mode?: Mode;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES, { message: 'status must be one of ok, needs_attention, erased' })
  status?: TenantStatus;

  @ApiPropertyOptional({
    description:
      'Case-insensitive text found in the tenant id, username, sender or a Gmail/Microsoft account ' +
      'the tenant ever authorized (revoked ones too)',
  })
  @IsOptional()
  @IsString({ message: 'q must be a string' })
  @MaxLength(100, { message: 'q must be at most 100 characters' })
  @Matches(/^[^\x00-\x1f\x7f]*$/, { message: 'q must not contain control characters' })
  q?: string;
}

export class TestMessageDto {
  @ApiProperty({ description: 'The one address the test message goes to', example: 'agent@help.example' })
  @IsString({ message: 'to must be an email address' })
  @MaxLength(254, { message: 'to must be at most 254 characters' })
  @IsMailbox({ message: 'to must be one email address' })
  to: string;
}

export class DashboardHistoryQueryDto extends PageQueryDto {}
