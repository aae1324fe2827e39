import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { MailConfigError, notProvisioned } from '../../../domain/mail-config/mail-config.errors';
import { MailConfigPresenter } from '../mail-config.presenter';
import type { MailConfigView } from '../mail-config.view';
import { StateReader } from '../state-reader';
import { GetMailConfigQuery } from './get-mail-config.query';

@QueryHandler(GetMailConfigQuery)
export class GetMailConfigHandler implements IQueryHandler<GetMailConfigQuery> {
  constructor(
    private readonly reader: StateReader,
    private readonly presenter: MailConfigPresenter,
  ) {}

  async execute({ tenantId, at }: GetMailConfigQuery): Promise<MailConfigView> {
    const loaded = at ? await this.reader.loadAt(tenantId, at) : await this.reader.load(tenantId);
    if (loaded.version === 0) {
      throw at
        ? new MailConfigError('NOT_PROVISIONED', 'This tenant’s mail configuration did not exist at that time')
        : notProvisioned();
    }
    return this.presenter.present(tenantId, loaded);
  }
}
