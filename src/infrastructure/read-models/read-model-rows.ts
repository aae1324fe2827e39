import { MODES } from '../../domain/mail-config/mail-config.types';
import { type TenantRecord, type TenantRow } from '../../application/ports/read-model.port';
import { type TenantPanelRecord } from '../../application/ports/tenant-directory.port';
import { reasonOf } from '../../application/projections/tenant-record';
import { type ReadModelCounts } from '../../application/ports/tenant-directory.port';

// What every read-model adapter derives the same way from a record, so SQLite and PostgreSQL agree.

/**
 * The username key of a stored record as SQL reads it (SQLite and PostgreSQL spell JSON access
 * differently; `field` is their expression for one member). Records projected before the key
 * existed fall back to the lower-cased username, which is the same for the usernames accepted.
 */
export const usernameKeySql = (field: (member: string) => string) =>
  `COALESCE(${field('usernameKey')}, lower(${field('username')}))`;

/** The dashboard row of a stored record (the record keeps what only the projection needs too). */
export function toTenantRow(r: TenantRecord, duplicateUsername: boolean): TenantRow {
  return {
    tenantId: r.tenantId,
    username: r.username,
    mode: r.mode,
    sender: r.sender,
    status: r.status,
    attention: r.attention,
    lastChangeAt: r.lastChangeAt,
    lastChangeBy: r.lastChangeBy,
    // Worded when read, so records projected before the words existed get them too.
    reason: r.status === 'erased' ? null : reasonOf(r),
    duplicateUsername,
  };
}

/** The row and what the support panel shows about it (null details: projected before the panel existed). */
export function toPanelRecord(r: TenantRecord, duplicateUsername: boolean): TenantPanelRecord {
  return { ...toTenantRow(r, duplicateUsername), details: r.details ?? null, accounts: r.accounts ?? [] };
}

/**
 * Lower-cased "tenant id, username, sender, every Gmail or Microsoft account ever authorized":
 * what the dashboard's text search looks in (a revoked account still finds its tenant).
 */
export const searchTextOf = (r: TenantRecord) =>
  [r.tenantId, r.username ?? '', r.sender ?? '', ...(r.accounts ?? [])].join('\n').toLowerCase();

/** Counters from the per-status sums and the per-mode counts of tenants that are not erased. */
export function toCounts(
  sums: { tenants: number; needs: number; revoked: number; smtp: number; erased: number },
  byMode: Array<{ mode: string; n: number }>,
): ReadModelCounts {
  const modes = Object.fromEntries(MODES.map((m) => [m, 0])) as ReadModelCounts['byMode'];
  for (const { mode, n } of byMode) if (mode in modes) modes[mode as keyof typeof modes] = n;
  return {
    tenants: sums.tenants,
    byMode: modes,
    needsAttention: sums.needs,
    gmailRevoked: sums.revoked,
    smtpFailing: sums.smtp,
    erased: sums.erased,
  };
}
