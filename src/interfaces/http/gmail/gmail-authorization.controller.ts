import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '../../../application/common/command-context';
import {
  type GmailAuthorizationStarted,
  RevokeGmailAuthorizationCommand,
  StartGmailAuthorizationCommand,
} from '../../../application/gmail/commands';
import type { MailConfigView } from '../../../application/mail-config/mail-config.view';
import { Ctx } from '../common/request-context';
import { TenantIdPipe } from '../common/tenant-id.pipe';
import { TenantRateLimit } from '../common/throttle';
import { GmailAuthorizationStartedDto, StartGmailAuthorizationDto } from './gmail.dto';

@ApiTags('gmail')
@ApiBearerAuth()
@Controller('v1/tenants/:tenantId/mail-config/gmail')
export class GmailAuthorizationController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('authorizations')
  @HttpCode(201)
  @TenantRateLimit('gmailAuthorization')
  @ApiOperation({ summary: 'Consent URL for Google (gmail.send + account email, offline, PKCE, single-use state)' })
  @ApiCreatedResponse({ type: GmailAuthorizationStartedDto })
  authorize(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Body() body: StartGmailAuthorizationDto,
    @Ctx() ctx: CommandContext,
  ): Promise<GmailAuthorizationStarted> {
    return this.commandBus.execute(new StartGmailAuthorizationCommand(tenantId, body.returnUrl, ctx));
  }

  @Delete('authorization')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw Gmail consent: revoke at Google (best effort, outcome recorded) and here' })
  @ApiOkResponse({ description: 'The tenant view' })
  withdraw(@Param('tenantId', TenantIdPipe) tenantId: string, @Ctx() ctx: CommandContext): Promise<MailConfigView> {
    return this.commandBus.execute(new RevokeGmailAuthorizationCommand(tenantId, ctx));
  }
}
