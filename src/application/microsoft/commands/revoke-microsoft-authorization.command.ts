import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';
import type { MailConfigView } from '../../mail-config/mail-config.view';

export type MicrosoftRevocationAnswer = MailConfigView & {
  /** Microsoft has no endpoint to revoke one app's refresh token: where the tenant removes the app's access. */
  removeAccessAt: { workOrSchool: string; personal: string };
};

/**
 * DELETE …/microsoft/authorization: the service forgets the grant (the sealed refresh token is no
 * longer used) and records ConsentRevoked{provider: microsoft, reason: tenant_request}.
 */
export class RevokeMicrosoftAuthorizationCommand extends Command<MicrosoftRevocationAnswer> {
  constructor(
    readonly tenantId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}
