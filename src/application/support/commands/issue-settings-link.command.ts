import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';
import { type SettingsLinkCreated } from '../../settings/commands/create-settings-session.command';

/**
 * Support dashboard: a settings-page link for the tenant, for the agent to hand on. The page's
 * changes are recorded with the agent as actor (the person who issued access); the issue itself
 * is recorded as SettingsLinkIssued, without the link (it is a secret).
 */
export class IssueSettingsLinkCommand extends Command<SettingsLinkCreated> {
  constructor(
    readonly tenantId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}
