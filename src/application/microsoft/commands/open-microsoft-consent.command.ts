import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';
import { type ConsentOpened } from '../../common/consent-browser';

/**
 * GET /v1/oauth/microsoft/authorize?handoff=…: the browser opening the link POST
 * …/microsoft/authorizations answered. Spends the hand-off and issues the state bound to this
 * browser; records nothing in the tenant's stream.
 */
export class OpenMicrosoftConsentCommand extends Command<ConsentOpened> {
  constructor(
    readonly handoff: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}
