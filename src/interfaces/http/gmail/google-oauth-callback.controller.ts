import { Controller, Get, Inject, Query, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../../application/app-config';
import { type ConsentOpened } from '../../../application/common/consent-browser';
import { CompleteGmailAuthorizationCommand, OpenGmailConsentCommand } from '../../../application/gmail/commands';
import type { CommandContext } from '../../../application/common/command-context';
import type { ConsentReturn } from '../../../application/ports/google-oauth.port';
import { AccessRule } from '../common/access';
import { forgetBrowserSecret, sendToProvider } from '../common/consent-cookie';
import { problem, ProblemException } from '../common/problem';
import { Ctx } from '../common/request-context';
import { ConsentReturned, GoogleConsentGuard } from './google-consent.guard';

/**
 * The browser's two visits: on its way to Google (the hand-off link POST …/authorizations
 * answered) and back from it. No bearer token: the signed hand-off and state say who they are
 * for, and the cookie set on the way out says which browser may come back.
 */
@ApiTags('gmail')
@Controller('v1/oauth/google')
@AccessRule('public')
export class GoogleOAuthCallbackController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('authorize')
  @ApiOperation({
    summary: 'The authorizationUrl: binds the consent to this browser (HttpOnly cookie), then redirects to Google',
  })
  @ApiQuery({
    name: 'handoff',
    required: true,
    description: 'One-time, 10 minutes; from POST …/gmail/authorizations',
  })
  @ApiFoundResponse({
    description: 'Google’s consent screen; a used, expired or unknown link goes back with reason=state_invalid',
  })
  async authorize(@Query('handoff') handoff: unknown, @Res() res: Response, @Ctx() ctx: CommandContext) {
    const opened: ConsentOpened = await this.commandBus.execute(
      new OpenGmailConsentCommand(typeof handoff === 'string' ? handoff.slice(0, 512) : '', ctx),
    );
    sendToProvider(res, opened, this.config.google?.redirectUri ?? '');
  }

  @Get('callback')
  @UseGuards(GoogleConsentGuard)
  @ApiOperation({ summary: 'OAuth redirect URI: records the grant and sends the browser to the returnUrl' })
  @ApiQuery({ name: 'code', required: false })
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'error', required: false })
  @ApiFoundResponse({
    description:
      'returnUrl?gmail=authorized | denied | ' +
      'error&reason=scope_missing|state_invalid|exchange_failed|other_browser (not the browser it was handed to)',
  })
  async callback(
    @ConsentReturned() consent: ConsentReturn | null,
    @Req() req: Request,
    @Res() res: Response,
    @Ctx() ctx: CommandContext,
  ): Promise<void> {
    const location = await this.commandBus.execute(new CompleteGmailAuthorizationCommand(consent, ctx));
    forgetBrowserSecret(res, req.query.state, this.config.google?.redirectUri);
    if (location === null) {
      throw new ProblemException(
        problem(
          400,
          'oauth-state-invalid',
          'Invalid OAuth state',
          'This link is not valid (unknown, expired or already used)',
        ),
      );
    }
    // The code and state in this URL must not travel on as a Referer, nor be kept by a cache.
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).redirect(302, location);
  }
}
