import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../application/common/command-context';
import {
  type MicrosoftAuthorizationStarted,
  type MicrosoftRevocationAnswer,
  RevokeMicrosoftAuthorizationCommand,
  StartMicrosoftAuthorizationCommand,
} from '../../../application/microsoft/commands';
import { Ctx } from '../common/request-context';
import { TenantIdPipe } from '../common/tenant-id.pipe';
import { TenantRateLimit } from '../common/throttle';
import { MicrosoftAuthorizationStartedDto, StartMicrosoftAuthorizationDto } from './microsoft.dto';

@ApiTags('microsoft')
@ApiBearerAuth()
@Controller('v1/tenants/:tenantId/mail-config/microsoft')
export class MicrosoftAuthorizationController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('authorizations')
  @HttpCode(201)
  // One budget of authorization starts per tenant, whichever provider.
  @TenantRateLimit('gmailAuthorization')
  @ApiOperation({
    summary: 'Consent URL for Microsoft (Mail.Send, offline_access, openid email; PKCE, single-use state)',
  })
  @ApiCreatedResponse({ type: MicrosoftAuthorizationStartedDto })
  authorize(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Body() body: StartMicrosoftAuthorizationDto,
    @Ctx() ctx: CommandContext,
  ): Promise<MicrosoftAuthorizationStarted> {
    return this.commandBus.execute(new StartMicrosoftAuthorizationCommand(tenantId, body.returnUrl, ctx));
  }

  @Delete('authorization')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Forget the Microsoft 365 grant; the answer says where the tenant removes the app at Microsoft',
  })
  @ApiOkResponse({ description: 'The tenant view, plus removeAccessAt' })
  withdraw(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Ctx() ctx: CommandContext,
  ): Promise<MicrosoftRevocationAnswer> {
    return this.commandBus.execute(new RevokeMicrosoftAuthorizationCommand(tenantId, ctx));
  }
}
