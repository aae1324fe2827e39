import { Query } from '@nestjs/cqrs';
import type { MailConfigView } from '../../mail-config/mail-config.view';

/** Whether the platform can offer a provider's consent round trip at all. */
export interface ProviderAvailability {
  configured: boolean;
}

export interface SettingsPageState {
  view: MailConfigView;
  providers: { gmail: ProviderAvailability; microsoft: ProviderAvailability };
}

/** What the settings page shows: the tenant's view and which providers this platform offers. */
export class GetSettingsPageQuery extends Query<SettingsPageState> {
  constructor(readonly tenantId: string) {
    super();
  }
}
