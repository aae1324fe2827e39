import { Command } from '@nestjs/cqrs';
import type { RedeemedSettingsLink } from '../../ports/settings-session.port';

/** The tenant's browser opens a settings link: exchanged once for a session, or refused. */
export class OpenSettingsSessionCommand extends Command<RedeemedSettingsLink> {
  constructor(readonly token: string) {
    super();
  }
}
