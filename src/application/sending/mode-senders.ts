import { Injectable } from '@nestjs/common';
import { MailConfigState } from '../../domain/mail-config/mail-config.state';
import { Mode } from '../../domain/mail-config/mail-config.types';
import { ApplicationError } from '../common/application-error';
import { OutgoingMessage, SentMessage } from '../ports/mail-transport.port';
import { type Delivery } from './send-message.types';

/** The tenant a message is sent for, as folded from its events just before the send. */
export interface SendingTenant {
  tenantId: string;
  state: MailConfigState;
}

/**
 * Sends a message in one mode: turns the tenant's state (and its sealed credentials) into a
 * transport call. Throw MailTransportError with the stage on failure; throw GrantRevokedError
 * when the mode's authorization is gone for good, and the send use case falls back to mode 1.
 */
export interface ModeSender {
  readonly mode: Mode;
  /** Where this sender's messages go; absent: the mode's name (gmail, microsoft, smtp). */
  readonly delivery?: Delivery;
  send(tenant: SendingTenant, message: OutgoingMessage): Promise<SentMessage>;
}

/**
 * Mode → sender. Each feature registers its own (default and smtp by the sending module,
 * gmail by the Gmail module in its onModuleInit), so adding a mode never edits the use case.
 */
@Injectable()
export class ModeSenderRegistry {
  private readonly senders = new Map<Mode, ModeSender>();

  register(sender: ModeSender): void {
    this.senders.set(sender.mode, sender);
  }

  get(mode: Mode): ModeSender | null {
    return this.senders.get(mode) ?? null;
  }
}

/** Where `sender` delivers: what it says, else its mode (mode 1 always says: relay or outbox). */
export function deliveryOf(sender: ModeSender): Delivery {
  return sender.delivery ?? (sender.mode === 'default' ? 'relay' : sender.mode);
}

/** MODE_UNAVAILABLE: no sender is registered for the tenant's active mode (its feature is not configured). */
export class ModeUnavailableError extends ApplicationError {
  constructor(readonly mode: Mode) {
    super('MODE_UNAVAILABLE', `Sending in mode ${mode} is not available on this service`, undefined, { mode });
  }
}
