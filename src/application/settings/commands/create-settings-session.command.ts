import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';

export interface SettingsLinkCreated {
  /** The single-use link on PUBLIC_URL; it holds the link's secret, so it goes to the tenant's browser only. */
  url: string;
  expiresAt: string;
}

/**
 * POST /v1/tenants/{tenantId}/settings-sessions: a link to the tenant's settings page for
 * `actor` (the person the main application signs in; the context's actor when not given).
 */
export class CreateSettingsSessionCommand extends Command<SettingsLinkCreated> {
  constructor(
    readonly tenantId: string,
    readonly actor: string | null,
    readonly returnUrl: string | null,
    readonly context: CommandContext,
  ) {
    super();
  }
}
