import { Query } from '@nestjs/cqrs';
import type { MailConfigView } from '../mail-config.view';

/** The tenant's current view, or with `at` the view as it was at that time. */
export class GetMailConfigQuery extends Query<MailConfigView> {
  constructor(
    readonly tenantId: string,
    readonly at?: Date,
  ) {
    super();
  }
}
