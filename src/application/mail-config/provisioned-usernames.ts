import { Inject, Injectable, Logger } from '@nestjs/common';
import { EVENT_STORE, EventDecodeError, type EventStore, type StoredEvent } from '../ports/event-store.port';
import { MAIL_CONFIG_STREAM_PREFIX, tenantOf } from './streams';

/**
 * The form two usernames are compared in: the address `support.<username>@…` is case-insensitive
 * in practice (mail systems fold the local part), so `Acme` and `acme` are one address.
 */
export function normaliseUsername(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase();
}

export interface ProvisionedTenant {
  tenantId: string;
  username: string;
  defaultAddress: string;
  provisionedAt: string;
  erased: boolean;
}

const BATCH = 1000;

/** The events this fold reads; the others of a tenant's stream say nothing about its username. */
const FOLDED_TYPES = ['MailConfigProvisioned', 'MailConfigErased'] as const;

/**
 * Every tenant's username as its MailConfigProvisioned recorded it, folded from the tenant
 * streams incrementally: the first look reads the history once, later looks only what was
 * appended since. It finds tenants provisioned before usernames were claimed (they have no claim
 * stream), so their addresses stay theirs, and the duplicates those years left behind.
 */
@Injectable()
export class ProvisionedUsernames {
  private readonly byTenant = new Map<string, ProvisionedTenant>();
  private readonly byUsername = new Map<string, Set<string>>();
  private position: bigint | undefined;
  private reading: Promise<void> | null = null;
  private readonly logger = new Logger('ProvisionedUsernames');

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** Starts reading the history in the background; a provisioning meanwhile waits for the same read. */
  warmUp(): void {
    this.catchUp().catch((error: Error) =>
      // Not fatal: the next provisioning reads again (and answers 503 if the store is still down).
      this.logger.warn(`could not read the tenants' usernames yet: ${error.message}`),
    );
  }

  /** Tenants whose recorded username normalises to `username` (erased ones included). */
  async ownersOf(username: string): Promise<ProvisionedTenant[]> {
    await this.catchUp();
    const ids = this.byUsername.get(normaliseUsername(username)) ?? new Set<string>();
    return [...ids].map((id) => this.byTenant.get(id)!);
  }

  /** Usernames recorded by more than one tenant, each with its tenants in provisioning order. */
  async duplicates(): Promise<Array<{ username: string; tenants: ProvisionedTenant[] }>> {
    await this.catchUp();
    return [...this.byUsername.entries()]
      .filter(([, ids]) => ids.size > 1)
      .map(([username, ids]) => ({ username, tenants: [...ids].map((id) => this.byTenant.get(id)!) }))
      .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  }

  /** One reader at a time: concurrent callers share the read in flight. */
  private catchUp(): Promise<void> {
    this.reading ??= this.readNewEvents().finally(() => (this.reading = null));
    return this.reading;
  }

  private async readNewEvents(): Promise<void> {
    for (let first = true; ; first = false) {
      // A synchronous store answers at once: without a turn of the event loop between batches,
      // folding a large history would hold every request (and the readiness probe) until done.
      if (!first) await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = await this.readBatch(BATCH);
      if (batch.length === 0) return;
      for (const event of batch) {
        const tenantId = tenantOf(event.streamId);
        if (event.type === 'MailConfigProvisioned') {
          const data = event.data as { username: string; defaultAddress: string };
          this.byTenant.set(tenantId, {
            tenantId,
            username: data.username,
            defaultAddress: data.defaultAddress,
            provisionedAt: event.metadata.at,
            erased: false,
          });
          const key = normaliseUsername(data.username);
          if (!this.byUsername.has(key)) this.byUsername.set(key, new Set());
          this.byUsername.get(key)!.add(tenantId);
        } else if (event.type === 'MailConfigErased') {
          const known = this.byTenant.get(tenantId);
          if (known) known.erased = true;
        }
      }
      this.position = batch[batch.length - 1].position;
    }
  }

  /**
   * A batch of tenant events after the position reached. An event that cannot be decoded (issue 18
   * item 10) cannot be anyone's provisioning fact: the events before it are read one by one, it is
   * stepped over with a warning, and provisioning goes on for every other tenant.
   */
  private async readBatch(maxCount: number): Promise<StoredEvent[]> {
    try {
      const options = { after: this.position, streamPrefix: MAIL_CONFIG_STREAM_PREFIX, maxCount };
      // Only two event types matter here: a store that can skip the others (SQLite, at start-up
      // over every tenant's history) is asked for just those.
      return await (this.store.readAllOfTypes
        ? this.store.readAllOfTypes(FOLDED_TYPES, options)
        : this.store.readAll(options));
    } catch (error) {
      if (!(error instanceof EventDecodeError)) throw error;
      // One by one up to the bad event, which the single read then steps over.
      if (maxCount > 1) return this.readBatch(1);
      this.logger.warn(`${error.message}; not counted among the provisioned usernames`);
      this.position = error.position;
      return this.readBatch(maxCount);
    }
  }
}
