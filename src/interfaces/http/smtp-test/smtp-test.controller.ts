import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '../../../application/common/command-context';
import { SmtpTestReport } from '../../../application/ports/mail-transport.port';
import { TestSmtpUseCase } from '../../../application/smtp-test/test-smtp.use-case';
import { Ctx } from '../common/request-context';
import { TenantIdPipe } from '../common/tenant-id.pipe';
import { TenantRateLimit } from '../common/throttle';
import { isCandidate, SmtpTestDto } from './smtp-test.dto';

@ApiTags('tenant configuration')
@ApiBearerAuth()
@Controller('v1/tenants/:tenantId/mail-config/smtp')
export class SmtpTestController {
  constructor(private readonly smtpTest: TestSmtpUseCase) {}

  /** Always 200 once a test ran: the answer names the stage where it stopped. */
  @Post('test')
  @HttpCode(200)
  @TenantRateLimit('smtpTest')
  test(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Body() body: SmtpTestDto,
    @Ctx() ctx: CommandContext,
  ): Promise<SmtpTestReport> {
    const b = body ?? new SmtpTestDto();
    const candidate = isCandidate(b)
      ? {
          address: b.address!,
          host: b.host!,
          port: b.port!,
          security: b.security,
          username: b.username,
          password: b.password,
        }
      : null;
    return this.smtpTest.test(tenantId, candidate, b.sendTo ?? null, ctx);
  }
}
