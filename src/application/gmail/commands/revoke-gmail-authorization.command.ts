import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';
import type { MailConfigView } from '../../mail-config/mail-config.view';

/**
 * DELETE …/gmail/authorization: the tenant withdraws consent. Google is asked to revoke the
 * token first (bounded by the adapter's timeouts); whatever it answers, the consent is withdrawn
 * on our side with the outcome recorded in ConsentRevoked, and a failed revocation is queued
 * for retries. Nothing authorized: the decider makes it a no-op and the view is answered as it is.
 */
export class RevokeGmailAuthorizationCommand extends Command<MailConfigView> {
  constructor(
    readonly tenantId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}
