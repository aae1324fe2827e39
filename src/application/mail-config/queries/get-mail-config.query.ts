import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { MailConfigError } from '../../../domain/mail-config/mail-config.errors';
import { MailConfigPresenter } from '../mail-config.presenter';
import type { MailConfigView } from '../mail-config.view';
import { StateReader } from '../state-reader';

/** The tenant's current view, or with `at` the view as it was at that time. */
export class GetMailConfigQuery extends Query<MailConfigView> {
  constructor(
    readonly tenantId: string,
    readonly at?: Date,
  ) {
    super();
  }
}

@QueryHandler(GetMailConfigQuery)
export class GetMailConfigHandler implements IQueryHandler<GetMailConfigQuery> {
  constructor(
    private readonly reader: StateReader,
    private readonly presenter: MailConfigPresenter,
  ) {}

  async execute({ tenantId, at }: GetMailConfigQuery): Promise<MailConfigView> {
    const loaded = at ? await this.reader.loadAt(tenantId, at) : await this.reader.load(tenantId);
    if (loaded.version === 0) {
      throw new MailConfigError(
        'NOT_PROVISIONED',
        at
          ? 'This tenant’s mail configuration did not exist at that time'
          : 'This tenant’s mail configuration has not been provisioned',
      );
    }
    return this.presenter.present(tenantId, loaded);
  }
}
