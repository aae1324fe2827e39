import { Controller, Get, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '../../../application/common/command-context';
import { CompleteMicrosoftAuthorizationCommand } from '../../../application/microsoft/commands';
import { AccessRule } from '../common/access';
import { problem, ProblemException } from '../common/problem';
import { Ctx } from '../common/request-context';

const text = (v: unknown, max: number): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v.slice(0, max) : undefined;

/** The browser coming back from Microsoft: no bearer token, the signed state says who it is for. */
@ApiTags('microsoft')
@Controller('v1/oauth/microsoft')
@AccessRule('public')
export class MicrosoftOAuthCallbackController {
  constructor(private readonly commandBus: CommandBus) {}

  @Get('callback')
  @ApiOperation({ summary: 'OAuth redirect URI: records the grant and sends the browser to the returnUrl' })
  @ApiQuery({ name: 'code', required: false })
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'error', required: false })
  @ApiQuery({ name: 'error_description', required: false })
  @ApiFoundResponse({
    description:
      'returnUrl?microsoft=authorized | denied | ' +
      'error&reason=scope_missing|state_invalid|exchange_failed|admin_consent_required',
  })
  async callback(
    @Query() query: Record<string, unknown>,
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
        },
        ctx,
      ),
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
