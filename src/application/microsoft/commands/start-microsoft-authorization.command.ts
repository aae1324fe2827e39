import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';

export interface MicrosoftAuthorizationStarted {
  authorizationUrl: string;
  expiresAt: string;
}

/** POST …/microsoft/authorizations: the consent URL for the tenant's browser. Records nothing yet. */
export class StartMicrosoftAuthorizationCommand extends Command<MicrosoftAuthorizationStarted> {
  constructor(
    readonly tenantId: string,
    readonly returnUrl: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}
