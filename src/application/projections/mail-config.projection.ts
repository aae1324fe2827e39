import { type StoredEvent } from '../ports/event-store.port';
import {
  type ProjectionPlan,
  type ProjectionStore,
  type ProjectionView,
  type ReadModelChanges,
} from '../ports/projection-store.port';
import { type SkippedEventType, type TenantRecord } from '../ports/read-model.port';
import { toDomainEvent, UnknownEventTypeError } from '../mail-config/event-codec';
import { redactSecrets } from '../mail-config/redaction';
import { tenantOf } from '../mail-config/streams';
import { evolveTenantRecord } from './tenant-record';

export type ApplyOutcome = 'applied' | 'skipped' | 'duplicate';

/** The read models were reset (a rebuild started) after this runner read its checkpoint. */
export class ReadModelResetError extends Error {
  constructor() {
    super('the read models were reset by a rebuild; resubscribing from the new checkpoint');
    this.name = 'ReadModelResetError';
  }
}

/**
 * Decides what a batch of events changes, from the read models as they are inside the batch's
 * transaction. Idempotent: an event at or before the checkpoint is a duplicate (redelivery, a
 * second writer after a failover, or a process racing a rebuild) and changes nothing. An event
 * type this version does not know is still indexed for audit — the tenant history shows every
 * event, so the cross-tenant audit must too — but skipped by the tenant rows. Pure: no I/O.
 */
export function planBatch(
  view: ProjectionView,
  events: readonly StoredEvent[],
  generation: number,
): ProjectionPlan<ApplyOutcome[]> {
  if (view.checkpoint.generation !== generation) throw new ReadModelResetError();
  let position = view.checkpoint.position;
  const records = new Map<string, TenantRecord>(view.tenants);
  const touched = new Set<string>();
  const skipped = new Map<string, SkippedEventType>();
  const audit: ReadModelChanges['audit'] = [];
  const outcomes = events.map((event): ApplyOutcome => {
    if (event.position <= position) return 'duplicate';
    position = event.position;
    // Stored redacted, so no ciphertext ever lands in the read models.
    const tenantId = tenantOf(event.streamId);
    audit.push({ tenantId, event: { ...event, data: redactSecrets(event.data) } });

    let decoded;
    try {
      decoded = toDomainEvent(event);
    } catch (error) {
      if (!(error instanceof UnknownEventTypeError)) throw error;
      const seen = skipped.get(event.type);
      skipped.set(event.type, { type: event.type, count: (seen?.count ?? 0) + 1, lastPosition: event.position });
      return 'skipped';
    }
    const current = records.get(tenantId) ?? null;
    if (current && event.version <= current.version) return 'duplicate';
    records.set(
      tenantId,
      evolveTenantRecord(current, tenantId, decoded, {
        version: event.version,
        at: event.metadata.at,
        actor: event.metadata.actor,
        detectedBy: event.metadata.detectedBy ?? null,
      }),
    );
    touched.add(tenantId);
    return 'applied';
  });
  const changes: ReadModelChanges | null =
    position === view.checkpoint.position
      ? null
      : {
          tenants: [...touched].map((id) => records.get(id)!),
          audit,
          skipped: [...skipped.values()],
          position,
        };
  return { changes, result: outcomes };
}

/** Applies a batch of events in one transaction of the store; one outcome per event. */
export function applyEvents(
  store: ProjectionStore,
  events: readonly StoredEvent[],
  generation: number,
): Promise<ApplyOutcome[]> {
  const tenantIds = [...new Set(events.map((e) => tenantOf(e.streamId)))];
  return store.apply(tenantIds, (view) => planBatch(view, events, generation));
}
