import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { GetDeliveryLogQuery } from '../../../application/delivery-log/queries/get-delivery-log.query';
import { type DeliveryLogOutcome } from '../../../application/ports/delivery-log.port';
import { IsMailbox } from '../common/mailbox';
import { PageQueryDto } from '../common/page-query.dto';

const OUTCOMES: DeliveryLogOutcome[] = ['sent', 'failed', 'uncertain'];

export class DeliveryLogQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only messages to this address (to, cc or bcc; case-insensitive)' })
  @IsOptional()
  @IsMailbox({ message: 'to must be one email address' })
  to?: string;

  @ApiPropertyOptional({ description: 'Only messages sent at or after this time (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 time' })
  since?: string;

  @ApiPropertyOptional({ description: 'Only messages sent at or before this time (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 time' })
  until?: string;

  @ApiPropertyOptional({ enum: OUTCOMES })
  @IsOptional()
  @IsIn(OUTCOMES, { message: `outcome must be one of ${OUTCOMES.join(', ')}` })
  outcome?: DeliveryLogOutcome;
}

/** The query message for a tenant's delivery log: the same for the main application's route and support's. */
export function deliveryLogQuery(tenantId: string, q: DeliveryLogQueryDto): GetDeliveryLogQuery {
  return new GetDeliveryLogQuery(tenantId, {
    to: q.to,
    since: q.since ? new Date(q.since) : undefined,
    until: q.until ? new Date(q.until) : undefined,
    outcome: q.outcome,
    cursor: q.cursor,
    limit: q.limit ?? 100,
  });
}
