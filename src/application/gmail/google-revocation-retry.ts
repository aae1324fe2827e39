import { Inject, Injectable, Logger } from '@nestjs/common';
import { EncryptedValue } from '../../domain/mail-config/mail-config.types';
import { CommandContext } from '../mail-config/decide-and-append';
import { StateReader } from '../mail-config/state-reader';
import { Cipher, CIPHER } from '../ports/cipher.port';
import { Clock, CLOCK } from '../ports/clock.port';
import { ConcurrencyError, EVENT_STORE, EventStore, ExpectedVersion, StoredEvent } from '../ports/event-store.port';
import { GOOGLE_OAUTH, GoogleOAuth } from '../ports/google-oauth.port';
import { ID_GENERATOR, IdGenerator } from '../ports/id.port';
import { revokeAtGoogle } from './google-revocation';

/** Outside `mailConfig-`: a work queue, not tenant history (ConsentRevoked already holds the first outcome). */
export const GOOGLE_REVOCATION_STREAM_PREFIX = 'googleRevocation-';

interface PendingData {
  tenantId: string;
  account: string | null;
  refreshToken: EncryptedValue;
  message: string | null;
  failedAt: string;
}
interface AttemptData {
  /** Version of the GoogleRevocationPending event this try is about. */
  pendingVersion: number;
  ok: boolean;
  message: string | null;
  attempt: number;
  /** No further tries: revoked, superseded, or given up. */
  final: boolean;
  at: string;
}

export interface PendingRevocation {
  tenantId: string;
  account: string | null;
  attempts: number;
  lastMessage: string | null;
  lastAt: string;
  refreshToken: EncryptedValue;
  pendingVersion: number;
}

const MAX_ATTEMPTS = 10;
const FIRST_DELAY_MS = 60_000;
const MAX_DELAY_MS = 6 * 60 * 60_000;

/**
 * Revocations Google did not confirm when the tenant withdrew consent, retried with backoff
 * (1 min doubling to 6 h, ten tries). Kept in the event store, which every instance shares;
 * two instances retrying the same entry both reach Google (revoking twice is harmless) and
 * only one records the outcome (expected version).
 */
@Injectable()
export class GoogleRevocationRetry {
  private readonly logger = new Logger('GoogleRevocationRetry');
  /** By tenant and pending version: a tenant may have more than one grant waiting to be revoked. */
  private readonly entries = new Map<string, PendingRevocation>();
  private readonly streamVersions = new Map<string, number>();
  private position: bigint | undefined;
  private running: Promise<{ attempted: number; revoked: number }> | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GOOGLE_OAUTH) private readonly google: GoogleOAuth | null,
    @Inject(CIPHER) private readonly cipher: Cipher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    private readonly reader: StateReader,
  ) {}

  async enqueue(
    tenantId: string,
    account: string | null,
    refreshToken: EncryptedValue,
    message: string | null,
    ctx: CommandContext,
  ): Promise<void> {
    const data: PendingData = { tenantId, account, refreshToken, message, failedAt: this.clock.now().toISOString() };
    await this.append(tenantId, 'GoogleRevocationPending', data, 'any', ctx);
  }

  async pending(): Promise<PendingRevocation[]> {
    await this.catchUp();
    return [...this.entries.values()];
  }

  /** Tries every entry that is due (or every entry, with dueOnly false); one run at a time. */
  runOnce(options: { dueOnly?: boolean } = {}): Promise<{ attempted: number; revoked: number }> {
    this.running ??= this.run(options.dueOnly ?? true).finally(() => (this.running = null));
    return this.running;
  }

  private async run(dueOnly: boolean): Promise<{ attempted: number; revoked: number }> {
    const result = { attempted: 0, revoked: 0 };
    if (!this.google) return result;
    const ctx = { actor: 'system:google-revocation-retry', correlationId: this.ids.next() };
    for (const entry of await this.pending()) {
      if (dueOnly && !this.isDue(entry)) continue;
      result.attempted++;
      const outcome = await this.attempt(this.google, entry);
      if (outcome.ok) result.revoked++;
      this.logger.log(
        `Google revocation for tenant ${entry.tenantId}, try ${outcome.attempt}: ${outcome.ok ? 'revoked' : outcome.message}${outcome.final ? ' (final)' : ''}`,
      );
      // Another instance may have recorded its own try meanwhile: then ours is not recorded, theirs counts.
      await this.append(
        entry.tenantId,
        'GoogleRevocationAttempted',
        outcome,
        this.streamVersions.get(entry.tenantId) ?? 'any',
        ctx,
      ).catch((error) => {
        if (!(error instanceof ConcurrencyError)) throw error;
      });
    }
    await this.catchUp();
    return result;
  }

  private async attempt(google: GoogleOAuth, entry: PendingRevocation): Promise<AttemptData> {
    const at = this.clock.now().toISOString();
    const attempt = entry.attempts + 1;
    const { gmail } = (await this.reader.load(entry.tenantId)).state;
    // Google revokes a user's whole grant to this client: revoking the old token of an account
    // that authorized again would also end the new authorization.
    if (gmail.status === 'authorized' && gmail.account === entry.account) {
      return {
        pendingVersion: entry.pendingVersion,
        ok: false,
        message: 'Superseded: the same account authorized Gmail again',
        attempt,
        final: true,
        at,
      };
    }
    const outcome = await revokeAtGoogle(google, this.cipher, entry.tenantId, entry.refreshToken);
    const final = outcome.ok || !outcome.retry || attempt >= MAX_ATTEMPTS;
    return { pendingVersion: entry.pendingVersion, ok: outcome.ok, message: outcome.message, attempt, final, at };
  }

  private isDue(entry: PendingRevocation): boolean {
    const wait = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (entry.attempts - 1));
    return this.clock.now().getTime() >= Date.parse(entry.lastAt) + wait;
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
    if (event.type === 'GoogleRevocationPending') {
      const d = event.data as PendingData;
      this.entries.set(`${tenantId}#${event.version}`, {
        tenantId,
        account: d.account,
        attempts: 1,
        lastMessage: d.message,
        lastAt: d.failedAt,
        refreshToken: d.refreshToken,
        pendingVersion: event.version,
      });
    } else if (event.type === 'GoogleRevocationAttempted') {
      const d = event.data as AttemptData;
      const key = `${tenantId}#${d.pendingVersion}`;
      const entry = this.entries.get(key);
      if (d.final) this.entries.delete(key);
      else if (entry) this.entries.set(key, { ...entry, attempts: d.attempt, lastMessage: d.message, lastAt: d.at });
    }
  }

  private async append(
    tenantId: string,
    type: string,
    data: PendingData | AttemptData,
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
