import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** `limit` and `cursor` of every paged list (history, audit, dashboard tenants): one rule for all. */
export class PageQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 500,
    description: 'Page size (default 100; 50 for the dashboard tenant list)',
  })
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
