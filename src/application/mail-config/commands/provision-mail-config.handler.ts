import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../app-config';
import { DecideAndAppend } from '../decide-and-append';
import { MailConfigPresenter } from '../mail-config.presenter';
import { StateReader } from '../state-reader';
import { UsernameClaims } from '../username-claims';
import { ProvisionMailConfigCommand, type ProvisionResult } from './provision-mail-config.command';

@CommandHandler(ProvisionMailConfigCommand)
export class ProvisionMailConfigHandler implements ICommandHandler<ProvisionMailConfigCommand> {
  constructor(
    private readonly decideAndAppend: DecideAndAppend,
    private readonly reader: StateReader,
    private readonly claims: UsernameClaims,
    private readonly presenter: MailConfigPresenter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The username is claimed first, then the tenant provisioned. Only a tenant that is still to be
   * provisioned claims: a repeat with the same username records nothing (and so needs no claim,
   * which keeps tenants provisioned before claims existed working), and an erased tenant or
   * another username is refused by the decider before anything is written.
   */
  async execute({ tenantId, username, context, displayName }: ProvisionMailConfigCommand): Promise<ProvisionResult> {
    const senderDomain = this.config.defaultSenderDomain;
    const { state } = await this.reader.load(tenantId);
    if (state.status === 'unprovisioned') await this.claims.claim(tenantId, username, context);
    const { current, events } = await this.decideAndAppend.handle(
      tenantId,
      { type: 'ProvisionMailConfig', data: { tenantId, username, senderDomain, displayName } },
      context,
    );
    return { created: events.length > 0, view: await this.presenter.present(tenantId, current) };
  }
}
