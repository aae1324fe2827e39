import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../app-config';
import { DecideAndAppend } from '../../mail-config/decide-and-append';
import { MailConfigPresenter } from '../../mail-config/mail-config.presenter';
import { CLOCK, type Clock } from '../../ports/clock.port';
import {
  MICROSOFT_APPS_PAGE,
  MICROSOFT_CONSENT,
  MICROSOFT_CONSUMER_APPS_PAGE,
  type MicrosoftConsent,
} from '../microsoft.port';
import { requireMicrosoft } from '../microsoft-preconditions';
import {
  type MicrosoftRevocationAnswer,
  RevokeMicrosoftAuthorizationCommand,
} from './revoke-microsoft-authorization.command';

@CommandHandler(RevokeMicrosoftAuthorizationCommand)
export class RevokeMicrosoftAuthorizationHandler implements ICommandHandler<RevokeMicrosoftAuthorizationCommand> {
  constructor(
    @Inject(MICROSOFT_CONSENT) private readonly consent: MicrosoftConsent | null,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly decideAndAppend: DecideAndAppend,
    private readonly presenter: MailConfigPresenter,
  ) {}

  async execute({ tenantId, context }: RevokeMicrosoftAuthorizationCommand): Promise<MicrosoftRevocationAnswer> {
    requireMicrosoft(this.consent, this.config);
    const { current } = await this.decideAndAppend.handle(
      tenantId,
      { type: 'RevokeMicrosoftConsent', data: { reason: 'tenant_request', at: this.clock.now().toISOString() } },
      context,
    );
    return {
      ...(await this.presenter.present(tenantId, current)),
      removeAccessAt: { workOrSchool: MICROSOFT_APPS_PAGE, personal: MICROSOFT_CONSUMER_APPS_PAGE },
    };
  }
}
