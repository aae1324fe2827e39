import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';
import { type ConsentReturn } from '../../ports/google-oauth.port';

/**
 * GET /v1/oauth/google/callback: the browser back from Google, as the consent guard found it
 * (state spent first, code exchanged, account read). Only a grant that includes gmail.send and
 * comes with a refresh token is recorded: GmailAuthorized and ModeChanged{gmail} in one append.
 * Every other outcome records nothing and sends the browser back with the contract's reason.
 * Answers where to redirect, or null when no trustworthy return URL exists. `consent` is null
 * when Google is not configured (no guard ran).
 */
export class CompleteGmailAuthorizationCommand extends Command<string | null> {
  constructor(
    readonly consent: ConsentReturn | null,
    readonly context: CommandContext,
  ) {
    super();
  }
}
