import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';

export interface GmailAuthorizationStarted {
  authorizationUrl: string;
  expiresAt: string;
}

/** POST …/gmail/authorizations: the consent URL for the tenant's browser. Records nothing yet. */
export class StartGmailAuthorizationCommand extends Command<GmailAuthorizationStarted> {
  constructor(
    readonly tenantId: string,
    readonly returnUrl: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}
