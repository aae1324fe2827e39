import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../application/common/command-context';
import type { SmtpTestReport } from '../../../application/ports/mail-transport.port';
import { TestSmtpCommand } from '../../../application/smtp-test/commands/test-smtp.command';
import { Ctx } from '../common/request-context';
import { TenantIdPipe } from '../common/tenant-id.pipe';
import { TenantRateLimit } from '../common/throttle';
import { isCandidate, SmtpTestDto } from './smtp-test.dto';

@ApiTags('tenant configuration')
@ApiBearerAuth()
@Controller('v1/tenants/:tenantId/mail-config/smtp')
export class SmtpTestController {
  constructor(private readonly commands: CommandBus) {}

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
    return this.commands.execute(new TestSmtpCommand(tenantId, candidate, b.sendTo ?? null, ctx));
  }
}
