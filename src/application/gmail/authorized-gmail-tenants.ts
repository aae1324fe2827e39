import { Inject, Injectable } from '@nestjs/common';
import { MAIL_CONFIG_STREAM_PREFIX, tenantOf } from '../mail-config/streams';
import { EVENT_STORE, type EventStore, type StoredEvent } from '../ports/event-store.port';

/** Stored before Microsoft 365 mode, a ConsentRevoked has no provider: it was Gmail's. */
function isGmailRevocation(event: StoredEvent): boolean {
  return event.type === 'ConsentRevoked' && (event.data as { provider?: string }).provider !== 'microsoft';
}

/**
 * Which tenants have Gmail authorized, folded from the tenant streams incrementally: the first
 * look reads the history once, later looks only what was appended since.
 */
@Injectable()
export class AuthorizedGmailTenants {
  private readonly authorized = new Set<string>();
  private position: bigint | undefined;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async list(): Promise<string[]> {
    for (;;) {
      const batch = await this.store.readAll({
        after: this.position,
        streamPrefix: MAIL_CONFIG_STREAM_PREFIX,
        maxCount: 1000,
      });
      if (batch.length === 0) break;
      for (const event of batch) {
        const tenantId = tenantOf(event.streamId);
        if (event.type === 'GmailAuthorized') this.authorized.add(tenantId);
        else if (event.type === 'MailConfigErased' || isGmailRevocation(event)) this.authorized.delete(tenantId);
      }
      this.position = batch[batch.length - 1].position;
    }
    return [...this.authorized];
  }
}
