import { type StoredEvent } from '../ports/event-store.port';
import { type ReadModelTransaction } from '../ports/read-model.port';
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
 * Applies one event inside the caller's transaction. Idempotent: an event at or before the
 * checkpoint is a duplicate (redelivery, or a second process racing a rebuild) and changes
 * nothing. An event type this version does not know is still indexed for audit — the tenant
 * history shows every event, so the cross-tenant audit must too — but skipped by the tenant rows.
 */
export function applyEvent(tx: ReadModelTransaction, event: StoredEvent, generation: number): ApplyOutcome {
  const checkpoint = tx.checkpoint();
  if (checkpoint.generation !== generation) throw new ReadModelResetError();
  if (event.position <= checkpoint.position) return 'duplicate';

  // Stored redacted, so no ciphertext ever lands in the read-model file.
  const tenantId = tenantOf(event.streamId);
  tx.indexAuditEvent(tenantId, { ...event, data: redactSecrets(event.data) });
  tx.advance(event.position);

  let decoded;
  try {
    decoded = toDomainEvent(event);
  } catch (error) {
    if (!(error instanceof UnknownEventTypeError)) throw error;
    tx.recordSkipped(event.type, event.position);
    return 'skipped';
  }
  const current = tx.tenant(tenantId);
  if (current && event.version <= current.version) return 'duplicate';
  tx.putTenant(
    evolveTenantRecord(current, tenantId, decoded, {
      version: event.version,
      at: event.metadata.at,
      actor: event.metadata.actor,
    }),
  );
  return 'applied';
}
