import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '../../../application/common/command-context';
import { type DeliveryLogAnswer } from '../../../application/delivery-log/queries/get-delivery-log.query';
import type { SmtpTestReport } from '../../../application/ports/mail-transport.port';
import { type TenantPanelRecord } from '../../../application/ports/tenant-directory.port';
import {
  type DescribedHistoryPage,
  GetDashboardHistoryQuery,
} from '../../../application/projections/queries/get-dashboard-history.query';
import {
  type DashboardSummary,
  GetDashboardSummaryQuery,
} from '../../../application/projections/queries/get-dashboard-summary.query';
import { GetDashboardTenantQuery } from '../../../application/projections/queries/get-dashboard-tenant.query';
import {
  GetDashboardTenantsQuery,
  type TenantPage,
} from '../../../application/projections/queries/get-dashboard-tenants.query';
import type { SettingsLinkCreated } from '../../../application/settings/commands/create-settings-session.command';
import { TestSmtpCommand } from '../../../application/smtp-test/commands/test-smtp.command';
import { IssueSettingsLinkCommand } from '../../../application/support/commands/issue-settings-link.command';
import {
  SendTestMessageCommand,
  type TestMessageOutcome,
} from '../../../application/support/commands/send-test-message.command';
import { AccessRule } from '../common/access';
import { AgentCtx } from '../common/request-context';
import { TenantIdPipe } from '../common/tenant-id.pipe';
import { TenantRateLimit } from '../common/throttle';
import { deliveryLogQuery, DeliveryLogQueryDto } from '../delivery-log/delivery-log.dto';
import { DashboardHistoryQueryDto, TenantListQueryDto, TestMessageDto } from './dashboard.dto';

/**
 * The support dashboard's data, answered from the projections (eventually consistent), and the
 * support actions, each recorded on the tenant's stream with the signed-in agent as actor.
 */
@ApiTags('support dashboard')
@ApiBearerAuth()
@AccessRule('support')
@Controller('v1/dashboard')
export class DashboardApiController {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
  ) {}

  @Get('summary')
  @ApiOkResponse({ description: 'tenants, byMode, needsAttention, gmailRevoked, smtpFailing, checkpoint, lagMs' })
  summary(): Promise<DashboardSummary> {
    return this.queries.execute(new GetDashboardSummaryQuery());
  }

  @Get('tenants')
  @ApiOkResponse({
    description:
      '{ tenants: [...], nextCursor }, ordered by tenant id; each row has duplicateUsername: true when another ' +
      'tenant (erased ones included) has the same username',
  })
  tenants(@Query() query: TenantListQueryDto): Promise<TenantPage> {
    const { mode, status, q, limit, cursor } = query;
    return this.queries.execute(new GetDashboardTenantsQuery({ mode, status, q, limit: limit ?? 50, cursor }));
  }

  @Get('tenants/:tenantId')
  @ApiOperation({ summary: 'One tenant for the support panel: its row, configuration and last outcomes' })
  @ApiOkResponse({
    description:
      'The tenant row plus details { smtp, lastTest, gmail, microsoft, lastDeliveryFailure, lastTestMessage, ' +
      'lastSettingsLink } (null until the projections are rebuilt for tenants projected before it) and accounts',
  })
  tenant(@Param('tenantId', TenantIdPipe) tenantId: string): Promise<TenantPanelRecord> {
    return this.queries.execute(new GetDashboardTenantQuery(tenantId));
  }

  @Get('tenants/:tenantId/history')
  @ApiOperation({ summary: 'The tenant history with each event described in plain language' })
  @ApiOkResponse({ description: '{ events: [{ ...history entry, description }], nextCursor }, oldest first' })
  history(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Query() query: DashboardHistoryQueryDto,
  ): Promise<DescribedHistoryPage> {
    return this.queries.execute(new GetDashboardHistoryQuery(tenantId, query.limit ?? 100, query.cursor));
  }

  /** The tenant's delivery log for the panel's Messages search; a support session cannot read the tenant route. */
  @Get('tenants/:tenantId/messages')
  @ApiOperation({ summary: 'The delivery log of one tenant, searched from the support panel, newest first' })
  @ApiOkResponse({ description: '{ messages, nextCursor }, as GET /v1/tenants/{tenantId}/messages' })
  messages(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Query() q: DeliveryLogQueryDto,
  ): Promise<DeliveryLogAnswer> {
    return this.queries.execute(deliveryLogQuery(tenantId, q));
  }

  /** The saved configuration, as the tenant's Test button would; recorded as SmtpConnectionTested. */
  @Post('tenants/:tenantId/smtp-test')
  @HttpCode(200)
  @TenantRateLimit('smtpTest')
  @ApiOperation({ summary: 'Re-run the SMTP test on the saved configuration (recorded, agent as actor)' })
  @ApiOkResponse({ description: '{ ok, stage, message, durationMs }, as POST …/mail-config/smtp/test' })
  smtpTest(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @AgentCtx() ctx: CommandContext,
  ): Promise<SmtpTestReport> {
    return this.commands.execute(new TestSmtpCommand(tenantId, null, null, ctx));
  }

  @Post('tenants/:tenantId/test-message')
  @HttpCode(200)
  @TenantRateLimit('send')
  @ApiOperation({ summary: 'Send a test message from the active mode to one address (recorded as TestMessageSent)' })
  @ApiOkResponse({
    description: '{ ok, to, mode, from, messageId, stage, message, fallback }; 200 also when it failed',
  })
  testMessage(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Body() body: TestMessageDto,
    @AgentCtx() ctx: CommandContext,
  ): Promise<TestMessageOutcome> {
    return this.commands.execute(new SendTestMessageCommand(tenantId, body.to, ctx));
  }

  @Post('tenants/:tenantId/settings-link')
  @HttpCode(201)
  @ApiOperation({ summary: 'A single-use settings-page link for the tenant (recorded as SettingsLinkIssued)' })
  @ApiCreatedResponse({ description: '{ url, expiresAt }: open within 5 minutes, works once' })
  settingsLink(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @AgentCtx() ctx: CommandContext,
  ): Promise<SettingsLinkCreated> {
    return this.commands.execute(new IssueSettingsLinkCommand(tenantId, ctx));
  }
}
