import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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

class DeliveryLogFallbackDto {
  @ApiProperty({ enum: ['gmail', 'microsoft', 'smtp'] }) from!: string;
  @ApiProperty({ example: 'grant_revoked' }) reason!: string;
}

export class DeliveryLogEntryDto {
  @ApiProperty({ nullable: true, type: String, example: '<0b9f…@smemetrics-email.com>' }) messageId!: string | null;
  @ApiProperty({ example: '2026-12-03T10:00:00.000Z' }) at!: string;
  @ApiProperty({ type: [String] }) to!: string[];
  @ApiProperty({ type: [String] }) cc!: string[];
  @ApiProperty({ type: [String] }) bcc!: string[];
  @ApiProperty() subject!: string;
  @ApiProperty({ enum: ['default', 'gmail', 'microsoft', 'smtp'] }) mode!: string;
  @ApiProperty({ nullable: true, type: String }) from!: string | null;
  @ApiProperty({ enum: OUTCOMES }) outcome!: DeliveryLogOutcome;
  @ApiProperty({ nullable: true, type: String, description: 'Where a failure stopped' }) stage!: string | null;
  @ApiProperty({ nullable: true, type: String, description: "The server's or the service's words" })
  detail!: string | null;

  @ApiProperty({ nullable: true, type: DeliveryLogFallbackDto }) fallback!: DeliveryLogFallbackDto | null;
  @ApiProperty({ nullable: true, type: String }) idempotencyKey!: string | null;
  @ApiProperty() correlationId!: string;
  @ApiProperty() actor!: string;
}

export class DeliveryLogPageDto {
  @ApiProperty({ type: [DeliveryLogEntryDto] }) messages!: DeliveryLogEntryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
