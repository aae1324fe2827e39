import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '../../../application/common/command-context';
import { ChangeModeCommand } from '../../../application/mail-config/commands/change-mode.command';
import { ConfigureSmtpCommand } from '../../../application/mail-config/commands/configure-smtp.command';
import { EraseMailConfigCommand } from '../../../application/mail-config/commands/erase-mail-config.command';
import { ProvisionMailConfigCommand } from '../../../application/mail-config/commands/provision-mail-config.command';
import type { HistoryPage } from '../../../application/mail-config/history';
import type { MailConfigView } from '../../../application/mail-config/mail-config.view';
import { GetMailConfigHistoryQuery } from '../../../application/mail-config/queries/get-mail-config-history.query';
import { GetMailConfigQuery } from '../../../application/mail-config/queries/get-mail-config.query';
import { AccessRule } from '../common/access';
import { expectedVersionFrom, setETag } from '../common/etag';
import { Ctx } from '../common/request-context';
import { TenantIdPipe } from '../common/tenant-id.pipe';
import { ChangeModeDto, HistoryQueryDto, ProvisionDto, SmtpSettingsDto, ViewQueryDto } from './mail-config.dto';

const ACTIVATION_REFUSED =
  'Activating SMTP runs the Test first (unless these exact settings passed one in the last 10 minutes): ' +
  'a failing Test answers smtp-test-failed with its `stage` and `message`, and nothing is recorded; ' +
  '"force": true activates without it. Every Test run here spends the tenant\'s THROTTLE_SMTP_TEST budget, ' +
  'shared with POST …/smtp/test (429 rate-limited with Retry-After over it, nothing recorded). ' +
  'Also mode/grant preconditions and concurrent changes.';

const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'The ETag of the view the change is based on; another version answers 412 and changes nothing',
};

@ApiTags('tenant configuration')
@ApiBearerAuth()
@Controller('v1/tenants/:tenantId/mail-config')
export class MailConfigController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Post()
  @ApiConflictResponse({
    description:
      'username-taken: another tenant holds the username (errors name the field `username`, never the tenant); ' +
      'username-conflict: this tenant was provisioned with another username',
  })
  async provision(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Body() body: ProvisionDto,
    @Ctx() ctx: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MailConfigView> {
    const { created, view } = await this.commandBus.execute(
      new ProvisionMailConfigCommand(tenantId, body.username, ctx, body.displayName ?? null),
    );
    res.status(created ? 201 : 200);
    return tagged(res, view);
  }

  @Get()
  @AccessRule('tenant-read')
  async view(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Query() query: ViewQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MailConfigView> {
    const at = query.at ? new Date(query.at) : undefined;
    return tagged(res, await this.queryBus.execute(new GetMailConfigQuery(tenantId, at)));
  }

  @Put('mode')
  @ApiHeader(IF_MATCH)
  @ApiConflictResponse({ description: ACTIVATION_REFUSED })
  async changeMode(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Body() body: ChangeModeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Ctx() ctx: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MailConfigView> {
    const command = new ChangeModeCommand(tenantId, body.mode, ctx, expectedVersionFrom(ifMatch), body.force ?? false);
    return tagged(res, await this.commandBus.execute(command));
  }

  @Put('smtp')
  @ApiHeader(IF_MATCH)
  @ApiConflictResponse({ description: ACTIVATION_REFUSED })
  @ApiBadRequestResponse({
    description: 'Invalid fields; also a host or port the SMTP policy forbids (field host/port)',
  })
  async configureSmtp(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Body() body: SmtpSettingsDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Ctx() ctx: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MailConfigView> {
    const command = new ConfigureSmtpCommand(tenantId, body, ctx, expectedVersionFrom(ifMatch));
    return tagged(res, await this.commandBus.execute(command));
  }

  @Get('history')
  @AccessRule('tenant-read')
  historyOf(@Param('tenantId', TenantIdPipe) tenantId: string, @Query() q: HistoryQueryDto): Promise<HistoryPage> {
    return this.queryBus.execute(
      new GetMailConfigHistoryQuery(tenantId, {
        since: q.since ? new Date(q.since) : undefined,
        until: q.until ? new Date(q.until) : undefined,
        types: q.type,
        limit: q.limit ?? 100,
        cursor: q.cursor,
      }),
    );
  }

  @Delete()
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  async erase(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Ctx() ctx: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MailConfigView> {
    const command = new EraseMailConfigCommand(tenantId, ctx, expectedVersionFrom(ifMatch));
    return tagged(res, await this.commandBus.execute(command));
  }
}

/** Every answer that is a view says which version it shows, for the next If-Match. */
function tagged(res: Response, view: MailConfigView): MailConfigView {
  setETag(res, view.version);
  return view;
}
