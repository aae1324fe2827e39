import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { TENANT_ID } from '../common/tenant-id.pipe';
import { HistoryQueryDto } from '../mail-config/mail-config.dto';

/** The tenant history's filters (since, until, type, limit, cursor), plus a tenant. */
export class AuditQueryDto extends HistoryQueryDto {
  @ApiPropertyOptional({ description: 'Only this tenant' })
  @IsOptional()
  @Matches(TENANT_ID, { message: 'tenantId must be 1-64 characters of A-Z, a-z, 0-9, _ or -' })
  tenantId?: string;
}
