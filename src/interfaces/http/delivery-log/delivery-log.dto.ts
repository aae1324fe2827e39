import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
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
