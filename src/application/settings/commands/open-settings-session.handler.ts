import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type RedeemedSettingsLink, SETTINGS_SESSIONS, type SettingsSessions } from '../../ports/settings-session.port';
import { OpenSettingsSessionCommand } from './open-settings-session.command';

@CommandHandler(OpenSettingsSessionCommand)
export class OpenSettingsSessionHandler implements ICommandHandler<OpenSettingsSessionCommand> {
  constructor(@Inject(SETTINGS_SESSIONS) private readonly sessions: SettingsSessions) {}

  execute({ token }: OpenSettingsSessionCommand): Promise<RedeemedSettingsLink> {
    return this.sessions.redeem(token);
  }
}
