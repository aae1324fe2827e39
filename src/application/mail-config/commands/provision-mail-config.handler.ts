import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../app-config';
import { DecideAndAppend } from '../decide-and-append';
import { MailConfigPresenter } from '../mail-config.presenter';
import { ProvisionMailConfigCommand, type ProvisionResult } from './provision-mail-config.command';

@CommandHandler(ProvisionMailConfigCommand)
export class ProvisionMailConfigHandler implements ICommandHandler<ProvisionMailConfigCommand> {
  constructor(
    private readonly decideAndAppend: DecideAndAppend,
    private readonly presenter: MailConfigPresenter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ tenantId, username, context, displayName }: ProvisionMailConfigCommand): Promise<ProvisionResult> {
    const senderDomain = this.config.defaultSenderDomain;
    const { current, events } = await this.decideAndAppend.handle(
      tenantId,
      { type: 'ProvisionMailConfig', data: { tenantId, username, senderDomain, displayName } },
      context,
    );
    return { created: events.length > 0, view: await this.presenter.present(tenantId, current) };
  }
}
