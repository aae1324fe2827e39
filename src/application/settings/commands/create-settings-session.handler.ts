import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { requireActive } from '../../../domain/mail-config/mail-config.state';
import { APP_CONFIG, type AppConfig } from '../../app-config';
import { allowedReturnUrl } from '../../gmail/gmail-preconditions';
import { StateReader } from '../../mail-config/state-reader';
import { SETTINGS_SESSIONS, type SettingsSessions } from '../../ports/settings-session.port';
import { settingsLinkUrl } from '../settings-urls';
import { CreateSettingsSessionCommand, type SettingsLinkCreated } from './create-settings-session.command';

@CommandHandler(CreateSettingsSessionCommand)
export class CreateSettingsSessionHandler implements ICommandHandler<CreateSettingsSessionCommand> {
  constructor(
    @Inject(SETTINGS_SESSIONS) private readonly sessions: SettingsSessions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reader: StateReader,
  ) {}

  async execute({ tenantId, actor, returnUrl, context }: CreateSettingsSessionCommand): Promise<SettingsLinkCreated> {
    // "Back to the application" must not make the page an open redirect: the main application's origins only.
    const back = returnUrl === null ? null : allowedReturnUrl(returnUrl, this.config.oauthReturnUrlOrigins);
    requireActive((await this.reader.load(tenantId)).state);
    const link = await this.sessions.issueLink({
      tenantId,
      actor: actor ?? context.actor,
      returnUrl: back,
      correlationId: context.correlationId,
    });
    return { url: settingsLinkUrl(this.config.publicUrl, link.token), expiresAt: link.expiresAt.toISOString() };
  }
}
