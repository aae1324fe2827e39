import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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

/** The response schema of one delivery (OpenAPI), as WebhookDeliveryView. */
export class WebhookDeliveryDto {
  @ApiProperty({ example: 'msg_0b7c7a4e-6f1e-4a53-9c43-2f0f3c1d9a10', description: 'The webhook-id of every attempt' })
  id!: string;
  @ApiProperty({ example: '0b7c7a4e-6f1e-4a53-9c43-2f0f3c1d9a10', description: 'The event it tells of' })
  eventId!: string;
  @ApiProperty({ example: 't-1' })
  tenantId!: string;
  @ApiProperty({ example: 'mail_config.consent_revoked' })
  type!: string;
  @ApiProperty({ enum: STATUSES })
  status!: string;
  @ApiProperty({ example: 7, description: 'Attempts over the delivery’s life, replays included' })
  attempts!: number;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When pending: the next attempt' })
  nextAttemptAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  lastAttemptAt!: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 503, description: 'The receiver’s status; null: no answer' })
  lastStatusCode!: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'app.example.com answered 503' })
  lastError!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  deliveredAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When the retry schedule ran out' })
  failedAt!: string | null;
  @ApiProperty({ example: 0 })
  replays!: number;
  @ApiProperty({ nullable: true, type: String, example: 'agent@support.example' })
  lastReplayedBy!: string | null;
  @ApiProperty({ type: Object, description: 'The JSON body sent on every attempt (type, timestamp, data)' })
  payload!: unknown;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryDto] })
  deliveries!: WebhookDeliveryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'cursor of the next page; null on the last' })
  nextCursor!: string | null;
}
