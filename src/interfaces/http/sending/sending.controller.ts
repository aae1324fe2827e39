import { Body, Controller, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CommandContext } from '../../../application/common/command-context';
import { ModeUnavailableError } from '../../../application/sending/mode-senders';
import { SendMessageUseCase } from '../../../application/sending/send-message.use-case';
import { IdempotencyConflictError, SendResult } from '../../../application/sending/send-message.types';
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
  constructor(private readonly sending: SendMessageUseCase) {}

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
    const key = idempotencyKey(rawKey);
    let answer;
    try {
      answer = await this.sending.send(tenantId, body, key, ctx);
    } catch (error) {
      throw translate(error);
    }
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
        {
          stage,
          uncertain,
          mode,
        },
      ),
      answer.replayed ? { 'Idempotent-Replayed': 'true' } : {},
    );
  }
}

function translate(error: unknown): unknown {
  if (error instanceof IdempotencyConflictError) {
    return error.reason === 'in_progress'
      ? new ProblemException(problem(409, 'idempotency-in-progress', 'Request in progress', error.message), {
          'Retry-After': '1',
        })
      : new ProblemException(problem(422, 'idempotency-key-reused', 'Idempotency-Key reused', error.message));
  }
  if (error instanceof ModeUnavailableError) {
    return new ProblemException(
      problem(503, 'mode-unavailable', 'Mode unavailable', error.message, { mode: error.mode }),
    );
  }
  return error;
}
