import { Inject, Injectable } from '@nestjs/common';
import { GMAIL_TRANSPORT, GmailTransport, GrantRevokedError } from '../ports/gmail-transport.port';
import { OutgoingMessage, SentMessage } from '../ports/mail-transport.port';
import { ModeSender, SendingTenant } from '../sending/mode-senders';
import { GmailGrants } from './gmail-grants';

/**
 * Mode 2 for the send use case: the message goes out through the Gmail API as the authorized
 * account. GrantRevokedError (invalid_grant) is left to the use case, which records the
 * revocation once and sends the message through mode 1 instead.
 */
@Injectable()
export class GmailModeSender implements ModeSender {
  readonly mode = 'gmail' as const;

  constructor(
    @Inject(GMAIL_TRANSPORT) private readonly transport: GmailTransport,
    private readonly grants: GmailGrants,
  ) {}

  send({ tenantId, state }: SendingTenant, message: OutgoingMessage): Promise<SentMessage> {
    const grant = this.grants.grantOf(tenantId, state);
    // Mode gmail without a usable grant cannot be (the decider forbids it); should it ever, mode 1 takes over.
    if (!grant) return Promise.reject(new GrantRevokedError('The Gmail authorization is no longer held'));
    return this.transport.send(grant, message);
  }
}
