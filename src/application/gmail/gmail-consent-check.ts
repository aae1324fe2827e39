import { Inject, Injectable, Logger } from '@nestjs/common';
import { MAIL_CONFIG_STREAM_PREFIX, tenantOf } from '../mail-config/streams';
import { StateReader } from '../mail-config/state-reader';
import { EVENT_STORE, EventStore } from '../ports/event-store.port';
import { GMAIL_TRANSPORT, GmailTransport, GrantRevokedError } from '../ports/gmail-transport.port';
import { ID_GENERATOR, IdGenerator } from '../ports/id.port';
import { GmailGrants } from './gmail-grants';

export interface ConsentCheckResult {
  checked: number;
  revoked: number;
  /** Google could not be asked (unavailable, refused for another reason): nothing recorded. */
  failed: number;
}

/**
 * Notices a consent withdrawn at Google before a customer message runs into it: refreshes every
 * authorized tenant's token and records a revocation when Google answers invalid_grant, so the
 * dashboard shows it. Transient failures are only logged; they are no revocation.
 *
 * Which tenants are authorized is folded from the tenant streams, incrementally: the first run
 * reads the history once, later runs only what was appended since.
 */
@Injectable()
export class GmailConsentCheck {
  private readonly logger = new Logger('GmailConsentCheck');
  private readonly authorized = new Set<string>();
  private position: bigint | undefined;
  private running: Promise<ConsentCheckResult> | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GMAIL_TRANSPORT) private readonly transport: GmailTransport | null,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    private readonly reader: StateReader,
    private readonly grants: GmailGrants,
  ) {}

  /** One run at a time: a run still going when the next is due is joined, not doubled. */
  runOnce(): Promise<ConsentCheckResult> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  private async run(): Promise<ConsentCheckResult> {
    const result: ConsentCheckResult = { checked: 0, revoked: 0, failed: 0 };
    if (!this.transport) return result;
    const ctx = { actor: 'system:gmail-consent-check', correlationId: this.ids.next() };
    for (const tenantId of await this.authorizedTenants()) {
      const grant = this.grants.grantOf(tenantId, (await this.reader.load(tenantId)).state);
      if (!grant) continue;
      result.checked++;
      try {
        await this.transport.refreshNow(grant);
      } catch (error) {
        if (error instanceof GrantRevokedError) {
          if (await this.grants.recordRevokedAtGoogle(tenantId, grant, ctx)) result.revoked++;
        } else {
          result.failed++;
          this.logger.warn(
            `consent check of tenant ${tenantId} could not reach a verdict: ${(error as Error).message}`,
          );
        }
      }
    }
    this.logger.log(
      `Gmail consent check: ${result.checked} checked, ${result.revoked} revoked at Google, ${result.failed} undecided`,
    );
    return result;
  }

  private async authorizedTenants(): Promise<string[]> {
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
        else if (event.type === 'ConsentRevoked' || event.type === 'MailConfigErased') this.authorized.delete(tenantId);
      }
      this.position = batch[batch.length - 1].position;
    }
    return [...this.authorized];
  }
}
