import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SETTINGS_SESSIONS, type SettingsSession, type SettingsSessions } from '../../ports/settings-session.port';
import { VerifySettingsSessionQuery } from './verify-settings-session.query';

@QueryHandler(VerifySettingsSessionQuery)
export class VerifySettingsSessionHandler implements IQueryHandler<VerifySettingsSessionQuery> {
  constructor(@Inject(SETTINGS_SESSIONS) private readonly sessions: SettingsSessions) {}

  execute({ cookie }: VerifySettingsSessionQuery): Promise<SettingsSession | null> {
    return Promise.resolve(this.sessions.verify(cookie));
  }
}
