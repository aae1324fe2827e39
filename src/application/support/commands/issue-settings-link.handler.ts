import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DecideAndAppend } from '../../mail-config/decide-and-append';
import { type Clock, CLOCK } from '../../ports/clock.port';
import {
  CreateSettingsSessionCommand,
  type SettingsLinkCreated,
} from '../../settings/commands/create-settings-session.command';
import { IssueSettingsLinkCommand } from './issue-settings-link.command';

@CommandHandler(IssueSettingsLinkCommand)
export class IssueSettingsLinkHandler implements ICommandHandler<IssueSettingsLinkCommand> {
  constructor(
    private readonly commands: CommandBus,
    private readonly decideAndAppend: DecideAndAppend,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ tenantId, context }: IssueSettingsLinkCommand): Promise<SettingsLinkCreated> {
    const link = await this.commands.execute(new CreateSettingsSessionCommand(tenantId, null, null, context));
    await this.decideAndAppend.handle(
      tenantId,
      { type: 'RecordSettingsLink', data: { expiresAt: link.expiresAt, at: this.clock.now().toISOString() } },
      context,
    );
    return link;
  }
}
