import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../common/page-query.dto';

const STATUSES = ['pending', 'delivered', 'failed'] as const;

export class WebhookDeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: STATUSES,
    description: 'Only deliveries in this state; failed = dead letters, the retry schedule spent',
  })
  @IsOptional()
  @IsIn(STATUSES, { message: 'status must be pending, delivered or failed' })
  status?: (typeof STATUSES)[number];
}
