import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '../../ports/clock.port';
import { SmtpActivationGate } from '../../smtp-test/smtp-activation-gate';
import { DecideAndAppend } from '../decide-and-append';
import { MailConfigPresenter } from '../mail-config.presenter';
import type { MailConfigView } from '../mail-config.view';
import { StateReader } from '../state-reader';
import { ChangeModeCommand } from './change-mode.command';

@CommandHandler(ChangeModeCommand)
export class ChangeModeHandler implements ICommandHandler<ChangeModeCommand> {
  constructor(
    private readonly decideAndAppend: DecideAndAppend,
    private readonly presenter: MailConfigPresenter,
    private readonly reader: StateReader,
    private readonly gate: SmtpActivationGate,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ tenantId, mode, context, expectedVersion, force }: ChangeModeCommand): Promise<MailConfigView> {
    const at = this.clock.now().toISOString();
    let smtp;
    if (mode === 'smtp' && !force) {
      const { state, version } = await this.reader.load(tenantId);
      // A stale If-Match is answered 412 by the append, without running a Test first.
      if (expectedVersion === undefined || expectedVersion === version) {
        smtp = await this.gate.forSavedConfiguration(tenantId, state, at, context);
      }
    }
    const { current } = await this.decideAndAppend.handle(
      tenantId,
      { type: 'ChangeMode', data: { mode, at, ...(force ? { force } : {}), ...(smtp ? { smtp } : {}) } },
      context,
      { expectedVersion },
    );
    return this.presenter.present(tenantId, current);
  }
}
