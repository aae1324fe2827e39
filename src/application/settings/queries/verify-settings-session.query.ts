import { Query } from '@nestjs/cqrs';
import type { SettingsSession } from '../../ports/settings-session.port';

/** The session a settings cookie stands for, or null (forged, damaged, expired). */
export class VerifySettingsSessionQuery extends Query<SettingsSession | null> {
  constructor(readonly cookie: string) {
    super();
  }
}
