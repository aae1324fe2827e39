import { Body, Controller, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '../../../application/common/command-context';
import { SendMessageCommand } from '../../../application/sending/commands/send-message.command';
import type { SendResult } from '../../../application/sending/send-message.types';
import { problem, ProblemException, validationProblem } from '../common/problem';
import { Ctx } from '../common/request-context';
import { TenantIdPipe } from '../common/tenant-id.pipe';
import { TenantRateLimit } from '../common/throttle';
import { SendMessageDto } from './send-message.dto';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

function idempotencyKey(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (!IDEMPOTENCY_KEY.test(raw)) {
    throw validationProblem([
      { field: 'Idempotency-Key', message: 'Idempotency-Key must be 1-128 visible ASCII characters' },
    ]);
  }
  return raw;
}

@ApiTags('sending')
@ApiBearerAuth()
@Controller('v1/tenants/:tenantId/messages')
export class SendingController {
  constructor(private readonly commands: CommandBus) {}

  /** 200 with the result once sent; a delivery that failed is the 502 of the contract, replayed like a success. */
  @Post()
  @HttpCode(200)
  @TenantRateLimit('send')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key within 24 h: the first result, nothing sent again',
  })
  async send(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Body() body: SendMessageDto,
    @Headers('idempotency-key') rawKey: string | undefined,
    @Ctx() ctx: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SendResult> {
    const answer = await this.commands.execute(new SendMessageCommand(tenantId, body, idempotencyKey(rawKey), ctx));
    if (answer.replayed) res.setHeader('Idempotent-Replayed', 'true');
    const { outcome } = answer;
    if (outcome.ok) return outcome.result;
    const { stage, message, uncertain, mode } = outcome.failure;
    throw new ProblemException(
      problem(
        502,
        uncertain ? 'delivery-uncertain' : 'delivery-failed',
        uncertain ? 'Delivery uncertain' : 'Delivery failed',
        message,
        { stage, uncertain, mode },
      ),
      answer.replayed ? { 'Idempotent-Replayed': 'true' } : {},
    );
  }
}
