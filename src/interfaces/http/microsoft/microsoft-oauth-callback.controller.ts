import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../../application/app-config';
import type { CommandContext } from '../../../application/common/command-context';
import { type ConsentOpened } from '../../../application/common/consent-browser';
import {
  CompleteMicrosoftAuthorizationCommand,
  OpenMicrosoftConsentCommand,
} from '../../../application/microsoft/commands';
import { AccessRule } from '../common/access';
import { browserSecretFor, forgetBrowserSecret, sendToProvider } from '../common/consent-cookie';
import { problem, ProblemException } from '../common/problem';
import { Ctx } from '../common/request-context';

const text = (v: unknown, max: number): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v.slice(0, max) : undefined;

/**
 * The browser's two visits: on its way to Microsoft (the hand-off link POST …/authorizations
 * answered) and back from it. No bearer token: the signed hand-off and state say who they are
 * for, and the cookie set on the way out says which browser may come back.
 */
@ApiTags('microsoft')
@Controller('v1/oauth/microsoft')
@AccessRule('public')
export class MicrosoftOAuthCallbackController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('authorize')
  @ApiOperation({
    summary: 'The authorizationUrl: binds the consent to this browser (HttpOnly cookie), then redirects to Microsoft',
  })
  @ApiQuery({
    name: 'handoff',
    required: true,
    description: 'One-time, 10 minutes; from POST …/microsoft/authorizations',
  })
  @ApiFoundResponse({
    description:
      'Microsoft’s consent screen; a used, expired or unknown link: returnUrl?microsoft=error&reason=state_invalid',
  })
  async authorize(@Query('handoff') handoff: unknown, @Res() res: Response, @Ctx() ctx: CommandContext) {
    const opened: ConsentOpened = await this.commandBus.execute(
      new OpenMicrosoftConsentCommand(typeof handoff === 'string' ? handoff.slice(0, 512) : '', ctx),
    );
    sendToProvider(res, opened, this.config.microsoft?.redirectUri ?? '');
  }

  @Get('callback')
  @ApiOperation({ summary: 'OAuth redirect URI: records the grant and sends the browser to the returnUrl' })
  @ApiQuery({ name: 'code', required: false })
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'error', required: false })
  @ApiQuery({ name: 'error_description', required: false })
  @ApiFoundResponse({
    description:
      'returnUrl?microsoft=authorized | denied | ' +
      'error&reason=scope_missing|state_invalid|exchange_failed|admin_consent_required|other_browser',
  })
  async callback(
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
    @Ctx() ctx: CommandContext,
  ): Promise<void> {
    const location = await this.commandBus.execute(
      new CompleteMicrosoftAuthorizationCommand(
        {
          code: text(query.code, 4096),
          state: text(query.state, 512),
          error: text(query.error, 128),
          errorDescription: text(query.error_description, 2048),
          browserSecret: browserSecretFor(req, query.state),
        },
        ctx,
      ),
    );
    forgetBrowserSecret(res, query.state, this.config.microsoft?.redirectUri);
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
