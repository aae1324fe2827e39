import { Inject, Injectable } from '@nestjs/common';
import {
  DEFAULT_RELAY_TRANSPORT,
  DefaultRelayTransport,
  OutgoingMessage,
  SentMessage,
} from '../ports/mail-transport.port';
import { ModeSender } from './mode-senders';

/** Mode 1: the platform relay or the outbox; the From is the tenant's default support address. */
@Injectable()
export class DefaultModeSender implements ModeSender {
  readonly mode = 'default' as const;

  constructor(@Inject(DEFAULT_RELAY_TRANSPORT) private readonly relay: DefaultRelayTransport) {}

  get delivery(): 'relay' | 'outbox' {
    return this.relay.delivery;
  }

  send(_tenant: unknown, message: OutgoingMessage): Promise<SentMessage> {
    return this.relay.send(message);
  }
}
