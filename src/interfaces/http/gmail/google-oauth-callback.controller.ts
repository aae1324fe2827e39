import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CompleteGmailAuthorization } from '../../../application/gmail/complete-gmail-authorization';
import { CommandContext } from '../../../application/common/command-context';
import { AccessRule } from '../common/access';
import { problem, ProblemException } from '../common/problem';
import { Ctx } from '../common/request-context';

const single = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The browser coming back from Google: no bearer token, the signed state says who it is for. */
@ApiTags('gmail')
@Controller('v1/oauth/google')
@AccessRule('public')
export class GoogleOAuthCallbackController {
  constructor(private readonly complete: CompleteGmailAuthorization) {}

  @Get('callback')
  @ApiOperation({ summary: 'OAuth redirect URI: records the grant and sends the browser to the returnUrl' })
  @ApiQuery({ name: 'code', required: false })
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'error', required: false })
  @ApiFoundResponse({
    description: 'returnUrl?gmail=authorized | denied | error&reason=scope_missing|state_invalid|exchange_failed',
  })
  async callback(@Req() req: Request, @Res() res: Response, @Ctx() ctx: CommandContext): Promise<void> {
    // Read by hand rather than through a DTO: Google adds parameters of its own (scope, authuser, prompt, hd…).
    const { code, state, error } = req.query;
    const location = await this.complete.execute(
      { code: single(code), state: single(state), error: single(error) },
      ctx.correlationId,
    );
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
