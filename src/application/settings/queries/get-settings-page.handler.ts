import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../app-config';
import { GetMailConfigQuery } from '../../mail-config/queries/get-mail-config.query';
import { GetSettingsPageQuery, type SettingsPageState } from './get-settings-page.query';

@QueryHandler(GetSettingsPageQuery)
export class GetSettingsPageHandler implements IQueryHandler<GetSettingsPageQuery> {
  constructor(
    private readonly queries: QueryBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ tenantId }: GetSettingsPageQuery): Promise<SettingsPageState> {
    const view = await this.queries.execute(new GetMailConfigQuery(tenantId));
    return {
      view,
      providers: {
        gmail: { configured: this.config.google !== null },
        microsoft: { configured: this.config.microsoft !== null },
      },
    };
  }
}
