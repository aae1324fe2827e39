import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import type { Request, Response } from 'express';
import { AccessRule } from '../common/access';
import { SUPPORT_COOKIE } from '../common/auth.guard';
import { Caller, CALLER_AUTHENTICATORS, CallerAuthenticator } from '../common/caller';
import { problem, ProblemException } from '../common/problem';
import { dashboardPages } from './page/dashboard-pages';
import { setPageHeaders } from './page-headers';
import { SignInPageFilter } from './sign-in-page.filter';

export class SignInDto {
  @IsString({ message: 'token must be a string' })
  @Length(1, 4096, { message: 'token must be 1-4096 characters' })
  token: string;
}

const SESSION_SECONDS = 8 * 60 * 60;

/**
 * The support page. Signing in posts the token once (JSON, never in a URL) and gets it back as
 * an HttpOnly, SameSite=Strict cookie that the auth guard accepts: page script cannot read it,
 * other sites cannot send it, and it is never written to history, logs or referrers.
 */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardPageController {
  // Read (and the sign-in page rendered) when Nest builds the controller at start-up, not per request.
  private readonly pages = dashboardPages();

  constructor(@Inject(CALLER_AUTHENTICATORS) private readonly authenticators: CallerAuthenticator[]) {}

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
    res.cookie(SUPPORT_COOKIE, body.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/',
      maxAge: SESSION_SECONDS * 1000,
    });
  }

  @Delete('session')
  @AccessRule('public')
  @HttpCode(204)
  signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    res.clearCookie(SUPPORT_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
  }

  private async identify(token: string): Promise<Caller | null> {
    for (const authenticator of this.authenticators) {
      const caller = await authenticator.authenticate(token);
      if (caller) return caller;
    }
    return null;
  }
}
