import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DecideAndAppend } from '../decide-and-append';
import { MailConfigPresenter } from '../mail-config.presenter';
import type { MailConfigView } from '../mail-config.view';
import { ChangeDisplayNameCommand } from './change-display-name.command';

@CommandHandler(ChangeDisplayNameCommand)
export class ChangeDisplayNameHandler implements ICommandHandler<ChangeDisplayNameCommand> {
  constructor(
    private readonly decideAndAppend: DecideAndAppend,
    private readonly presenter: MailConfigPresenter,
  ) {}

  async execute({
    tenantId,
    displayName,
    context,
    expectedVersion,
  }: ChangeDisplayNameCommand): Promise<MailConfigView> {
    const { current } = await this.decideAndAppend.handle(
      tenantId,
      { type: 'ChangeDisplayName', data: { displayName } },
      context,
      { expectedVersion },
    );
    return this.presenter.present(tenantId, current);
  }
}
