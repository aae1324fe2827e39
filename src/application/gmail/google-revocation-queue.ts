import { Inject, Injectable } from '@nestjs/common';
import {
  type GoogleRevocationAttemptedData,
  type GoogleRevocationPendingData,
  type GoogleRevocationState,
  googleRevocationDecider,
} from '../../domain/google-revocation/google-revocation.decider';
import { EncryptedValue } from '../../domain/mail-config/mail-config.types';
import { CommandContext } from '../mail-config/decide-and-append';
import { Clock, CLOCK } from '../ports/clock.port';
import { ConcurrencyError, EVENT_STORE, EventStore, ExpectedVersion, StoredEvent } from '../ports/event-store.port';
import { ID_GENERATOR, IdGenerator } from '../ports/id.port';
import { GOOGLE_REVOCATION_STREAM_PREFIX } from '../common/stream-categories';

/** Outside `mailConfig-`: a work queue, not tenant history (ConsentRevoked already holds the first outcome). */
export { GOOGLE_REVOCATION_STREAM_PREFIX };

/**
 * The key owner that seals a token queued while its tenant is erased: the tenant's own key is
 * shredded, yet the grant must still be revoked at Google. One owner per tenant (the colons keep
 * it out of tenant ids), shredded in turn once the retries reach a final outcome, so the token
 * does not outlive its revocation.
 */
export const revocationKeyOwner = (tenantId: string) => `system:google-revocation:${tenantId}`;

/** The data of a retry's GoogleRevocationAttempted event, as the decider decided it. */
export type AttemptData = GoogleRevocationAttemptedData;

export interface PendingRevocation {
  tenantId: string;
  account: string | null;
  refreshToken: EncryptedValue;
  /** Whose data key opens `refreshToken`: the tenant's, or the queue's own once the tenant was erased. */
  sealedFor: string;
  pendingVersion: number;
  attempts: number;
  lastMessage: string | null;
  lastAt: string;
  /** Folded by the revocation decider: what the retry rules decide from. */
  state: GoogleRevocationState;
}

const withState = (
  entry: Omit<PendingRevocation, 'state' | 'attempts' | 'lastMessage' | 'lastAt'>,
  state: GoogleRevocationState,
): PendingRevocation => ({
  ...entry,
  attempts: state.attempts,
  lastMessage: state.lastMessage,
  lastAt: state.lastAt ?? '',
  state,
});

/**
 * Revocations Google did not confirm when the tenant withdrew consent, waiting for a retry (see
 * RetryGoogleRevocationsCommand). Kept in the event store, which every instance shares; two
 * instances retrying the same entry both reach Google (revoking twice is harmless) and only one
 * records the outcome (expected version).
 */
@Injectable()
export class GoogleRevocationQueue {
  /** By tenant and pending version: a tenant may have more than one grant waiting to be revoked. */
  private readonly entries = new Map<string, PendingRevocation>();
  private readonly streamVersions = new Map<string, number>();
  private position: bigint | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  async enqueue(
    tenantId: string,
    account: string | null,
    refreshToken: EncryptedValue,
    message: string | null,
    ctx: CommandContext,
    sealedFor?: string,
  ): Promise<void> {
    const data: GoogleRevocationPendingData = {
      tenantId,
      account,
      refreshToken,
      message,
      failedAt: this.clock.now().toISOString(),
      ...(sealedFor && sealedFor !== tenantId ? { sealedFor } : {}),
    };
    await this.append(tenantId, 'GoogleRevocationPending', data, 'any', ctx);
  }

  async pending(): Promise<PendingRevocation[]> {
    await this.catchUp();
    return [...this.entries.values()];
  }

  /**
   * Records one try of `entry`. Another instance may have recorded its own try meanwhile: then
   * ours is not recorded, theirs counts.
   */
  async recordAttempt(entry: PendingRevocation, attempt: AttemptData, ctx: CommandContext): Promise<void> {
    await this.append(
      entry.tenantId,
      'GoogleRevocationAttempted',
      attempt,
      this.streamVersions.get(entry.tenantId) ?? 'any',
      ctx,
    ).catch((error) => {
      if (!(error instanceof ConcurrencyError)) throw error;
    });
  }

  /** Folds the queue streams appended since the last look, by this or any other instance. */
  private async catchUp(): Promise<void> {
    for (;;) {
      const batch = await this.store.readAll({
        after: this.position,
        streamPrefix: GOOGLE_REVOCATION_STREAM_PREFIX,
        maxCount: 500,
      });
      batch.forEach((e) => this.apply(e));
      if (batch.length === 0) return;
      this.position = batch[batch.length - 1].position;
    }
  }

  private apply(event: StoredEvent): void {
    const tenantId = event.streamId.slice(GOOGLE_REVOCATION_STREAM_PREFIX.length);
    this.streamVersions.set(tenantId, event.version);
    const { evolve, initialState } = googleRevocationDecider;
    if (event.type === 'GoogleRevocationPending') {
      const d = event.data as GoogleRevocationPendingData;
      this.entries.set(
        `${tenantId}#${event.version}`,
        withState(
          {
            tenantId,
            account: d.account,
            refreshToken: d.refreshToken,
            sealedFor: d.sealedFor ?? tenantId,
            pendingVersion: event.version,
          },
          evolve(initialState(), { type: 'GoogleRevocationPending', data: d }),
        ),
      );
    } else if (event.type === 'GoogleRevocationAttempted') {
      const d = event.data as GoogleRevocationAttemptedData;
      const key = `${tenantId}#${d.pendingVersion}`;
      const entry = this.entries.get(key);
      if (!entry) return;
      const state = evolve(entry.state, { type: 'GoogleRevocationAttempted', data: d });
      if (state.status === 'closed') this.entries.delete(key);
      else this.entries.set(key, withState(entry, state));
    }
  }

  private async append(
    tenantId: string,
    type: string,
    data: GoogleRevocationPendingData | GoogleRevocationAttemptedData,
    expectedVersion: ExpectedVersion,
    ctx: CommandContext,
  ): Promise<void> {
    const { nextExpectedVersion } = await this.store.appendToStream(
      `${GOOGLE_REVOCATION_STREAM_PREFIX}${tenantId}`,
      [{ eventId: this.ids.next(), type, data, metadata: { ...ctx, at: this.clock.now().toISOString() } }],
      { expectedVersion },
    );
    this.streamVersions.set(tenantId, nextExpectedVersion);
  }
}
