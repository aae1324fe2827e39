import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../app-config';
import type { CommandContext } from '../../common/command-context';
import { DecideAndAppend } from '../decide-and-append';
import { MailConfigPresenter } from '../mail-config.presenter';
import type { MailConfigView } from '../mail-config.view';

export interface ProvisionResult {
  /** false when the same username was provisioned before: nothing was recorded. */
  created: boolean;
  view: MailConfigView;
}

/** Mode 1 for a new tenant: its personal support address on the platform's sender domain. */
export class ProvisionMailConfigCommand extends Command<ProvisionResult> {
  constructor(
    readonly tenantId: string,
    readonly username: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(ProvisionMailConfigCommand)
export class ProvisionMailConfigHandler implements ICommandHandler<ProvisionMailConfigCommand> {
  constructor(
    private readonly decideAndAppend: DecideAndAppend,
    private readonly presenter: MailConfigPresenter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ tenantId, username, context }: ProvisionMailConfigCommand): Promise<ProvisionResult> {
    const { current, events } = await this.decideAndAppend.handle(
      tenantId,
      { type: 'ProvisionMailConfig', data: { tenantId, username, senderDomain: this.config.defaultSenderDomain } },
      context,
    );
    return { created: events.length > 0, view: await this.presenter.present(tenantId, current) };
  }
}
