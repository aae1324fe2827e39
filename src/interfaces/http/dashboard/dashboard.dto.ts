import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { TenantStatus } from '../../../application/ports/read-model.port';
import { Mode, MODES } from '../../../domain/mail-config/mail-config.types';

const STATUSES: TenantStatus[] = ['ok', 'needs_attention', 'erased'];

export class TenantListQueryDto {
  @ApiPropertyOptional({ enum: MODES })
  @IsOptional()
  @IsIn(MODES as Mode[], { message: 'mode must be one of default, gmail, smtp' })
  mode?: Mode;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES, { message: 'status must be one of ok, needs_attention, erased' })
  status?: TenantStatus;

  @ApiPropertyOptional({ description: 'Case-insensitive text found in the tenant id, username or sender' })
  @IsOptional()
  @IsString({ message: 'q must be a string' })
  @MaxLength(100, { message: 'q must be at most 100 characters' })
  @Matches(/^[^\x00-\x1f\x7f]*$/, { message: 'q must not contain control characters' })
  q?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer 1-500' })
  @Min(1, { message: 'limit must be an integer 1-500' })
  @Max(500, { message: 'limit must be an integer 1-500' })
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString({ message: 'cursor must be a string' })
  @MaxLength(200, { message: 'cursor is too long' })
  cursor?: string;
}
