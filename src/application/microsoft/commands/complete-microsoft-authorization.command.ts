import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';
import { type MicrosoftCallbackQuery } from '../microsoft.port';

/**
 * GET /v1/oauth/microsoft/callback: the browser back from Microsoft. The state is spent first;
 * only a grant that includes Mail.Send and comes with a refresh token is recorded
 * (MicrosoftAuthorized + ModeChanged{microsoft} in one append). Answers where to redirect, or
 * null when no trustworthy return URL exists.
 */
export class CompleteMicrosoftAuthorizationCommand extends Command<string | null> {
  constructor(
    readonly query: MicrosoftCallbackQuery,
    readonly context: CommandContext,
  ) {
    super();
  }
}
