import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DecideAndAppend } from '../decide-and-append';
import { MailConfigPresenter } from '../mail-config.presenter';
import type { MailConfigView } from '../mail-config.view';
import { ChangeModeCommand } from './change-mode.command';

@CommandHandler(ChangeModeCommand)
export class ChangeModeHandler implements ICommandHandler<ChangeModeCommand> {
  constructor(
    private readonly decideAndAppend: DecideAndAppend,
    private readonly presenter: MailConfigPresenter,
  ) {}

  async execute({ tenantId, mode, context, expectedVersion }: ChangeModeCommand): Promise<MailConfigView> {
    const { current } = await this.decideAndAppend.handle(tenantId, { type: 'ChangeMode', data: { mode } }, context, {
      expectedVersion,
    });
    return this.presenter.present(tenantId, current);
  }
}
