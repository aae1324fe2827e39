import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CompleteGmailAuthorizationCommand } from '../../../application/gmail/commands';
import type { CommandContext } from '../../../application/common/command-context';
import type { ConsentReturn } from '../../../application/ports/google-oauth.port';
import { AccessRule } from '../common/access';
import { problem, ProblemException } from '../common/problem';
import { Ctx } from '../common/request-context';
import { ConsentReturned, GoogleConsentGuard } from './google-consent.guard';

/** The browser coming back from Google: no bearer token, the signed state says who it is for. */
@ApiTags('gmail')
@Controller('v1/oauth/google')
@AccessRule('public')
export class GoogleOAuthCallbackController {
  constructor(private readonly commandBus: CommandBus) {}

  @Get('callback')
  @UseGuards(GoogleConsentGuard)
  @ApiOperation({ summary: 'OAuth redirect URI: records the grant and sends the browser to the returnUrl' })
  @ApiQuery({ name: 'code', required: false })
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'error', required: false })
  @ApiFoundResponse({
    description: 'returnUrl?gmail=authorized | denied | error&reason=scope_missing|state_invalid|exchange_failed',
  })
  async callback(
    @ConsentReturned() consent: ConsentReturn | null,
    @Res() res: Response,
    @Ctx() ctx: CommandContext,
  ): Promise<void> {
    const location = await this.commandBus.execute(new CompleteGmailAuthorizationCommand(consent, ctx));
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
