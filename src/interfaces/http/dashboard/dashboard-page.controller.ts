import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import type { Request, Response } from 'express';
import { AccessRule } from '../common/access';
import { APP_CONFIG, type AppConfig } from '../../../application/app-config';
import { SUPPORT_SESSION_SECONDS, SupportSessions } from '../../../infrastructure/support-sessions/support-sessions';
import {
  requireSameOrigin,
  SUPPORT_COOKIE,
  supportCookieOptions,
  supportSessionId,
} from '../common/support-session-cookie';
import { Caller, CALLER_AUTHENTICATORS, CallerAuthenticator } from '../common/caller';
import { problem, ProblemException } from '../common/problem';
import { actingAgent } from '../common/request-context';
import { dashboardPages } from './page/dashboard-pages';
import { setPageHeaders } from './page-headers';
import { SignInPageFilter } from './sign-in-page.filter';

/** The identity of a session begun with the shared support token: no person is known. */
export const TOKEN_IDENTITY = 'support token';

export class SignInDto {
  @IsString({ message: 'token must be a string' })
  @Length(1, 4096, { message: 'token must be 1-4096 characters' })
  token: string;
}

/**
 * The support page. Signing in posts the token once (JSON, never in a URL) and gets a session:
 * a random id in an HttpOnly, SameSite=Strict cookie, whose identity is "support token" (company
 * sign-in gives the agent's email instead). The token itself never comes back; signing out ends
 * the session on the server, so a copied cookie is dead too.
 */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardPageController {
  // Read (and the sign-in page rendered) when Nest builds the controller at start-up, not per request.
  private readonly pages: ReturnType<typeof dashboardPages>;

  constructor(
    @Inject(CALLER_AUTHENTICATORS) private readonly authenticators: CallerAuthenticator[],
    private readonly sessions: SupportSessions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.pages = dashboardPages(config.supportOidc?.displayName ?? null);
  }

  @Get()
  @AccessRule('support')
  @UseFilters(SignInPageFilter)
  page(@Res() res: Response): void {
    setPageHeaders(res);
    res.type('html').send(this.pages.dashboard);
  }

  /** The page's script and stylesheet hold no data, so they need no credentials (the sign-in form uses them). */
  @Get('assets/:file')
  @AccessRule('public')
  asset(@Param('file') file: string, @Res() res: Response): void {
    const asset = this.pages.asset(file);
    if (!asset) throw new ProblemException(problem(404, 'not-found', 'Not found', 'No such dashboard asset'));
    res.set({ 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' }).type(asset.type).send(asset.body);
  }

  @Post('session')
  @AccessRule('public')
  @HttpCode(204)
  async signIn(@Body() body: SignInDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const caller = await this.identify(body.token);
    if (!caller) {
      throw new ProblemException(problem(401, 'unauthorized', 'Unauthorized', 'That token is not valid'));
    }
    if (caller.kind !== 'support' || caller.tenant !== null) {
      throw new ProblemException(
        problem(403, 'forbidden', 'Forbidden', 'That token does not give access to the support dashboard'),
      );
    }
    // A session the browser held before is ended, not left alive beside the new one.
    const previous = supportSessionId(req);
    if (previous) await this.sessions.end(previous);
    const session = await this.sessions.start(TOKEN_IDENTITY, 'token');
    res.cookie(SUPPORT_COOKIE, session.id, supportCookieOptions(this.config.publicUrl, SUPPORT_SESSION_SECONDS * 1000));
  }

  /** Who is signed in, for the page's "Signed in as …": the acting agent of the page's actions. */
  @Get('session')
  @AccessRule('support')
  whoAmI(@Req() req: Request & { caller?: Caller }): { identity: string; personal: boolean } {
    const identity = actingAgent(req);
    return { identity, personal: identity !== TOKEN_IDENTITY && req.caller?.agent !== undefined };
  }

  /** Ends the session server-side (a copy of the cookie is dead as well), then asks the browser to forget it. */
  @Delete('session')
  @AccessRule('public')
  @HttpCode(204)
  async signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const id = supportSessionId(req);
    if (id) {
      requireSameOrigin(req, this.config.publicUrl);
      await this.sessions.end(id);
    }
    res.clearCookie(SUPPORT_COOKIE, supportCookieOptions(this.config.publicUrl));
  }

  private async identify(token: string): Promise<Caller | null> {
    for (const authenticator of this.authenticators) {
      const caller = await authenticator.authenticate(token);
      if (caller) return caller;
    }
    return null;
  }
}
