import { Inject, Injectable } from '@nestjs/common';
import { GrantRevokedError, type OutgoingMessage, type SentMessage } from '../ports/mail-transport.port';
import { type ModeSender, type SendingTenant } from '../sending/mode-senders';
import { MicrosoftGrants } from './microsoft-grants';
import { MICROSOFT_TRANSPORT, type MicrosoftTransport } from './microsoft.port';

/**
 * Mode `microsoft` for the send use case: Graph sendMail as the authorized account.
 * GrantRevokedError is left to the use case, which records the revocation once
 * (ConsentRevoked{provider: microsoft, revoked_at_provider}) and sends through mode 1 instead.
 */
@Injectable()
export class MicrosoftModeSender implements ModeSender {
  readonly mode = 'microsoft' as const;

  constructor(
    @Inject(MICROSOFT_TRANSPORT) private readonly transport: MicrosoftTransport,
    private readonly grants: MicrosoftGrants,
  ) {}

  send({ tenantId, state }: SendingTenant, message: OutgoingMessage): Promise<SentMessage> {
    const grant = this.grants.grantOf(tenantId, state);
    if (!grant) return Promise.reject(new GrantRevokedError('The Microsoft 365 authorization is no longer held'));
    return this.transport.send(grant, message);
  }
}
