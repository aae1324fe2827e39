import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ProvisionMailConfigCommand } from '../../../application/mail-config/commands/provision-mail-config.command';
import { GetMailConfigQuery } from '../../../application/mail-config/queries/get-mail-config.query';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CommandContext } from '../../../application/common/command-context';
import { HistoryPage, HistoryQuery } from '../../../application/mail-config/history';
import { MailConfigView } from '../../../application/mail-config/mail-config.view';
import { MailConfigService } from '../../../application/mail-config/mail-config.service';
import { AccessRule } from '../common/access';
import { Ctx } from '../common/request-context';
import { TenantIdPipe } from '../common/tenant-id.pipe';
import { ChangeModeDto, HistoryQueryDto, ProvisionDto, SmtpSettingsDto, ViewQueryDto } from './mail-config.dto';

@ApiTags('tenant configuration')
@ApiBearerAuth()
@Controller('v1/tenants/:tenantId/mail-config')
export class MailConfigController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly service: MailConfigService,
    private readonly history: HistoryQuery,
  ) {}

  @Post()
  async provision(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Body() body: ProvisionDto,
    @Ctx() ctx: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MailConfigView> {
    const { created, view } = await this.commandBus.execute(
      new ProvisionMailConfigCommand(tenantId, body.username, ctx),
    );
    res.status(created ? 201 : 200);
    return view;
  }

  @Get()
  @AccessRule('tenant-read')
  view(@Param('tenantId', TenantIdPipe) tenantId: string, @Query() query: ViewQueryDto): Promise<MailConfigView> {
    return this.queryBus.execute(new GetMailConfigQuery(tenantId, query.at ? new Date(query.at) : undefined));
  }

  @Put('mode')
  changeMode(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Body() body: ChangeModeDto,
    @Ctx() ctx: CommandContext,
  ): Promise<MailConfigView> {
    return this.service.changeMode(tenantId, body.mode, ctx);
  }

  @Put('smtp')
  configureSmtp(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Body() body: SmtpSettingsDto,
    @Ctx() ctx: CommandContext,
  ): Promise<MailConfigView> {
    return this.service.configureSmtp(tenantId, body, ctx);
  }

  @Get('history')
  @AccessRule('tenant-read')
  historyOf(@Param('tenantId', TenantIdPipe) tenantId: string, @Query() q: HistoryQueryDto): Promise<HistoryPage> {
    return this.history.forTenant(tenantId, {
      since: q.since ? new Date(q.since) : undefined,
      until: q.until ? new Date(q.until) : undefined,
      types: q.type,
      limit: q.limit ?? 100,
      cursor: q.cursor,
    });
  }

  @Delete()
  @HttpCode(200)
  erase(@Param('tenantId', TenantIdPipe) tenantId: string, @Ctx() ctx: CommandContext): Promise<MailConfigView> {
    return this.service.erase(tenantId, ctx);
  }
}
