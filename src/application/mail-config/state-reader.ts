import { Inject, Injectable } from '@nestjs/common';
import { evolve, initialState } from '../../domain/mail-config/mail-config.decider';
import { MailConfigState } from '../../domain/mail-config/mail-config.state';
import { EVENT_STORE, EventStore, StoredEvent } from '../ports/event-store.port';
import { toDomainEvent } from './event-codec';
import { streamOf } from './streams';

export interface VersionedState {
  state: MailConfigState;
  /** Stream version the state was folded to; 0 when the stream does not exist. */
  version: number;
  updatedAt: string | null;
  createdAt: string | null;
}

const CACHE_LIMIT = 5000;

/**
 * Folds a tenant's stream into its state. The last few thousand folded states are kept and
 * brought up to date by reading only the events after their version, so a long history costs
 * a read of what is new, not a replay; the stream stays the source of truth.
 */
@Injectable()
export class StateReader {
  private readonly cache = new Map<string, VersionedState>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async load(tenantId: string): Promise<VersionedState> {
    const cached = this.cache.get(tenantId);
    const base: VersionedState = cached ?? { state: initialState(), version: 0, updatedAt: null, createdAt: null };
    const newer = await this.store.readStream(streamOf(tenantId), { fromVersion: base.version + 1 });
    const next = foldStored(base, newer);
    this.remember(tenantId, next);
    return next;
  }

  /**
   * The state this process last folded or recorded for the tenant, without reading the stream:
   * current unless another process appended since. Only for a decision whose append checks the
   * version (see DecideAndAppend); a view reads.
   */
  cached(tenantId: string): VersionedState | undefined {
    return this.cache.get(tenantId);
  }

  /** The state as it was at `at` (time travel): a full fold of the events recorded until then. */
  async loadAt(tenantId: string, at: Date): Promise<VersionedState> {
    const events = await this.store.readStream(streamOf(tenantId));
    const until = events.filter((e) => new Date(e.metadata.at).getTime() <= at.getTime());
    return foldStored({ state: initialState(), version: 0, updatedAt: null, createdAt: null }, until);
  }

  remember(tenantId: string, state: VersionedState): void {
    this.cache.delete(tenantId);
    this.cache.set(tenantId, state);
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
  }

  forget(tenantId: string): void {
    this.cache.delete(tenantId);
  }
}

function foldStored(base: VersionedState, events: StoredEvent[]): VersionedState {
  let { state, version, updatedAt, createdAt } = base;
  for (const stored of events) {
    state = evolve(state, toDomainEvent(stored));
    version = stored.version;
    updatedAt = stored.metadata.at;
    createdAt ??= stored.metadata.at;
  }
  return { state, version, updatedAt, createdAt };
}
