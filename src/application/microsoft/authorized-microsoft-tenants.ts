import { Inject, Injectable } from '@nestjs/common';
import { MAIL_CONFIG_STREAM_PREFIX, tenantOf } from '../mail-config/streams';
import { EVENT_STORE, type EventStore } from '../ports/event-store.port';

/** Which tenants have Microsoft 365 authorized, folded from the tenant streams incrementally. */
@Injectable()
export class AuthorizedMicrosoftTenants {
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
        const microsoftRevoked =
          event.type === 'ConsentRevoked' && (event.data as { provider?: string }).provider === 'microsoft';
        if (event.type === 'MicrosoftAuthorized') this.authorized.add(tenantId);
        else if (microsoftRevoked || event.type === 'MailConfigErased') this.authorized.delete(tenantId);
      }
      this.position = batch[batch.length - 1].position;
    }
    return [...this.authorized];
  }
}
