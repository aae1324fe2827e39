import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '../../../application/app-config';
import type { CommandContext } from '../../../application/common/command-context';
import { ChangeModeCommand } from '../../../application/mail-config/commands/change-mode.command';
import { ConfigureSmtpCommand } from '../../../application/mail-config/commands/configure-smtp.command';
import type { MailConfigView } from '../../../application/mail-config/mail-config.view';
import type { SmtpTestReport } from '../../../application/ports/mail-transport.port';
import type { SettingsSession } from '../../../application/ports/settings-session.port';
import {
  GetSettingsPageQuery,
  type SettingsPageState,
} from '../../../application/settings/queries/get-settings-page.query';
import { settingsPageUrl } from '../../../application/settings/settings-urls';
import { TestSmtpCommand } from '../../../application/smtp-test/commands/test-smtp.command';
import { AccessRule } from '../common/access';
import { ChangeModeDto, SmtpSettingsDto } from '../mail-config/mail-config.dto';
import { type AuthorizationStarted, authorizationOf } from './provider-authorizations';
import { SettingsRateLimit } from './settings-rate-limit';
import { CurrentSettingsSession, SettingsCtx, SettingsSessionGuard } from './settings-session.guard';

export interface SettingsPageAnswer extends SettingsPageState {
  session: { actor: string; expiresAt: string; returnUrl: string | null; csrfToken: string };
}

/**
 * What the settings page's script calls. Every route acts on the session's tenant only (there
 * is no tenant in these paths to tamper with) and records the session's actor.
 */
@ApiExcludeController()
@Controller('settings/api')
@AccessRule('public')
@UseGuards(SettingsSessionGuard)
export class SettingsApiController {
  private readonly returnUrl: string;

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.returnUrl = settingsPageUrl(config.publicUrl);
  }

  /** The anti-forgery token comes with the state, to this origin's script only (no CORS). */
  @Get('state')
  async state(@CurrentSettingsSession() session: SettingsSession): Promise<SettingsPageAnswer> {
    const state = await this.queries.execute(new GetSettingsPageQuery(session.tenantId));
    return {
      ...state,
      session: {
        actor: session.actor,
        expiresAt: session.expiresAt.toISOString(),
        returnUrl: session.returnUrl,
        csrfToken: session.csrfToken,
      },
    };
  }

  @Put('mode')
  changeMode(
    @CurrentSettingsSession() session: SettingsSession,
    @Body() body: ChangeModeDto,
    @SettingsCtx() ctx: CommandContext,
  ): Promise<MailConfigView> {
    // `force` (the page's "Switch anyway") switches to smtp without the Test, recorded as forced.
    const command = new ChangeModeCommand(session.tenantId, body.mode, ctx, undefined, body.force ?? false);
    return this.commands.execute(command);
  }

  /** The consent URL of a provider; the page opens it at top level and the provider sends the browser back here. */
  @Post('authorizations/:provider')
  @HttpCode(201)
  @SettingsRateLimit('gmailAuthorization')
  authorize(
    @CurrentSettingsSession() session: SettingsSession,
    @Param('provider') provider: string,
    @SettingsCtx() ctx: CommandContext,
  ): Promise<AuthorizationStarted> {
    return this.commands.execute(authorizationOf(provider, session.tenantId, this.returnUrl, ctx));
  }

  @Post('smtp/test')
  @HttpCode(200)
  @SettingsRateLimit('smtpTest')
  testSmtp(
    @CurrentSettingsSession() session: SettingsSession,
    @Body() body: SmtpSettingsDto,
    @SettingsCtx() ctx: CommandContext,
  ): Promise<SmtpTestReport> {
    // Always the candidate on the form (no password: the saved one), never a save.
    const { address, host, port, security, username, password } = body;
    const candidate = { address, host, port, security, username, password };
    return this.commands.execute(new TestSmtpCommand(session.tenantId, candidate, null, ctx));
  }

  @Put('smtp')
  configureSmtp(
    @CurrentSettingsSession() session: SettingsSession,
    @Body() body: SmtpSettingsDto,
    @SettingsCtx() ctx: CommandContext,
  ): Promise<MailConfigView> {
    return this.commands.execute(new ConfigureSmtpCommand(session.tenantId, { ...body, activate: true }, ctx));
  }
}
