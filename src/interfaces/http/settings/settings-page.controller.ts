import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../../application/app-config';
import { SETTINGS_SESSION_TTL_MS } from '../../../application/ports/settings-session.port';
import { OpenSettingsSessionCommand } from '../../../application/settings/commands/open-settings-session.command';
import { VerifySettingsSessionQuery } from '../../../application/settings/queries/verify-settings-session.query';
import { SETTINGS_PATHS } from '../../../application/settings/settings-urls';
import { AccessRule } from '../common/access';
import { problem, ProblemException } from '../common/problem';
import { SETTINGS_COOKIE, settingsCookie } from './settings-session.guard';
import { settingsPageHeaders } from './settings-page-headers';
import { SettingsPages } from './settings-pages';

/**
 * The tenant's settings page. It needs no bearer token (the global guard lets it through): the
 * link, then the session cookie it is exchanged for, say which tenant it is.
 */
@ApiExcludeController()
@Controller('settings')
@AccessRule('public')
export class SettingsPageController {
  private readonly pages = SettingsPages.load();
  private readonly headers: Record<string, string>;
  private readonly secureCookie: boolean;

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.headers = settingsPageHeaders(config.oauthReturnUrlOrigins);
    this.secureCookie = config.publicUrl.startsWith('https:');
  }

  /**
   * Opening the link: exchanged once for an HttpOnly cookie, then on to a URL without the
   * secret. SameSite=Lax, so the cookie comes along when the provider's consent screen sends
   * the browser back here (a top-level GET); cross-site posts and frames never carry it.
   */
  @Get('open')
  async open(@Query('link') link: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    res.set(this.headers);
    // Link checkers probe with HEAD: that must not use up the tenant's one opening.
    if (req.method === 'HEAD') {
      res.status(200).type('html').end();
      return;
    }
    const redeemed = await this.commands.execute(new OpenSettingsSessionCommand(typeof link === 'string' ? link : ''));
    if (!redeemed.ok) {
      res.status(410).type('html').send(this.pages.expired(redeemed.returnUrl));
      return;
    }
    res.cookie(SETTINGS_COOKIE, redeemed.cookie, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secureCookie,
      path: '/settings',
      maxAge: SETTINGS_SESSION_TTL_MS,
    });
    res.redirect(303, SETTINGS_PATHS.page);
  }

  @Get('mail')
  async page(@Req() req: Request, @Res() res: Response): Promise<void> {
    res.set(this.headers);
    const cookie = settingsCookie(req);
    const session = cookie ? await this.queries.execute(new VerifySettingsSessionQuery(cookie)) : null;
    if (!session) {
      res.status(401).type('html').send(this.pages.ended);
      return;
    }
    res.type('html').send(this.pages.mail);
  }

  /** The page's script and stylesheet hold no data, so they need no session. */
  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    const asset = this.pages.asset(file);
    if (!asset) throw new ProblemException(problem(404, 'not-found', 'Not found', 'No such settings asset'));
    res.set({ 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' }).type(asset.type).send(asset.body);
  }
}
