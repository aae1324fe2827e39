import { Injectable } from '@nestjs/common';
import { type EncryptedValue } from '../../domain/mail-config/mail-config.types';
import { CredentialStatusService } from './credential-status';
import { toView, type MailConfigView } from './mail-config.view';
import { VersionedState } from './state-reader';

/** The one place a tenant's folded state becomes the contract's view. */
@Injectable()
export class MailConfigPresenter {
  constructor(private readonly credentials: CredentialStatusService) {}

  /**
   * The view, with whether each stored secret can still be opened (known per stream version);
   * `sealedNow`: a secret the caller has just sealed, so it is not opened again to say so.
   */
  async present(tenantId: string, current: VersionedState, sealedNow?: EncryptedValue | null): Promise<MailConfigView> {
    return toView(tenantId, current, await this.credentials.of(tenantId, current, sealedNow));
  }
}
