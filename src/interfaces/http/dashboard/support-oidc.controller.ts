import { Controller, Get, Inject, Logger, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { CookieOptions, Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../../application/app-config';
import { requestLogContext } from '../../../infrastructure/logging/request-logger';
import { OIDC_TRANSACTION_SECONDS } from '../../../infrastructure/support-oidc/oidc-transaction';
import { type OidcSupportSignIn } from '../../../infrastructure/support-oidc/oidc-support-sign-in';
import { SUPPORT_SESSION_SECONDS, SupportSessions } from '../../../infrastructure/support-sessions/support-sessions';
import { AccessRule } from '../common/access';
import { problem, ProblemException } from '../common/problem';
import { SUPPORT_COOKIE, supportCookieOptions, supportSessionId } from '../common/support-session-cookie';
import { dashboardPages } from './page/dashboard-pages';
import { setPageHeaders } from './page-headers';

export const SUPPORT_OIDC = Symbol('SUPPORT_OIDC');

/** The sealed authorization request, for the callback only. */
const TRANSACTION_COOKIE = 'mcs_support_oidc';

function transactionCookie(req: Request): string | null {
  const raw = req.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${TRANSACTION_COOKIE}=`));
  return raw ? raw.slice(TRANSACTION_COOKIE.length + 1) : null;
}

/**
 * Company sign-in for support staff: /dashboard/oidc/start sends the browser to the provider,
 * /dashboard/oidc/callback (PUBLIC_URL + that path is the redirect URI to register) turns an
 * admitted account into a support session whose identity is the agent's email.
 */
@ApiExcludeController()
@AccessRule('public')
@Controller('dashboard/oidc')
export class SupportOidcController {
  private readonly logger = new Logger('SupportSignIn');
  private readonly pages: ReturnType<typeof dashboardPages>;

  constructor(
    @Inject(SUPPORT_OIDC) private readonly oidc: OidcSupportSignIn | null,
    private readonly sessions: SupportSessions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.pages = dashboardPages(config.supportOidc?.displayName ?? null);
  }

  @Get('start')
  async start(@Res() res: Response): Promise<void> {
    const oidc = this.configured();
    let started: Awaited<ReturnType<OidcSupportSignIn['begin']>>;
    try {
      started = await oidc.begin();
    } catch (error) {
      this.logger.warn(requestLogContext(res.req), `company sign-in provider unavailable: ${(error as Error).name}`);
      return this.page(res, 503, `Sign-in with ${oidc.config.displayName} is unavailable right now. Try again.`);
    }
    // Lax: the provider brings the browser back with a cross-site redirect, which a Strict cookie would not follow.
    res.cookie(TRANSACTION_COOKIE, started.transaction, this.transactionOptions(OIDC_TRANSACTION_SECONDS * 1000));
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).redirect(302, started.authorizationUrl);
  }

  @Get('callback')
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    const oidc = this.configured();
    const sealed = transactionCookie(req);
    res.clearCookie(TRANSACTION_COOKIE, this.transactionOptions());
    const outcome = await oidc.complete(req, sealed);
    const company = oidc.config.displayName;
    if (outcome.outcome === 'refused') {
      this.logger.warn(requestLogContext(req), `company sign-in refused for ${outcome.account}: ${outcome.reason}`);
      return this.page(
        res,
        403,
        `${outcome.account} may not use the support dashboard: ${outcome.reason}. ` +
          `Ask for access, or sign in with another ${company} account.`,
      );
    }
    if (outcome.outcome === 'failed') {
      this.logger.warn(requestLogContext(req), `company sign-in failed: ${outcome.reason}`);
      return this.page(res, 401, `Sign-in with ${company} failed: ${outcome.reason}. Try again.`);
    }
    const previous = supportSessionId(req);
    if (previous) await this.sessions.end(previous);
    const session = await this.sessions.start(outcome.email, 'oidc');
    this.logger.log(requestLogContext(req), `support agent ${outcome.email} signed in with ${company}`);
    res.cookie(SUPPORT_COOKIE, session.id, supportCookieOptions(this.config.publicUrl, SUPPORT_SESSION_SECONDS * 1000));
    setPageHeaders(res);
    res.status(200).type('html').send(this.pages.signedIn);
  }

  private configured(): OidcSupportSignIn {
    if (!this.oidc) {
      throw new ProblemException(problem(404, 'not-found', 'Not found', 'Company sign-in is not configured'));
    }
    return this.oidc;
  }

  private page(res: Response, status: number, message: string): void {
    setPageHeaders(res);
    res.status(status).type('html').send(this.pages.signInWith(message));
  }

  private transactionOptions(maxAgeMs?: number): CookieOptions {
    return { ...supportCookieOptions(this.config.publicUrl, maxAgeMs), sameSite: 'lax', path: '/dashboard/oidc' };
  }
}
