import { Injectable } from '@nestjs/common';
import { CredentialStatusService } from './credential-status';
import { toView, type MailConfigView } from './mail-config.view';
import { VersionedState } from './state-reader';

/** The one place a tenant's folded state becomes the contract's view. */
@Injectable()
export class MailConfigPresenter {
  constructor(private readonly credentials: CredentialStatusService) {}

  /** The view, with whether each stored secret can still be opened. */
  async present(tenantId: string, current: VersionedState): Promise<MailConfigView> {
    return toView(tenantId, current, await this.credentials.of(tenantId, current.state));
  }
}
