import { type Kysely, sql } from 'kysely';

/**
 * The support dashboard's rules for rows projected by earlier versions, without a rebuild:
 * "SMTP failing" counts only tenants whose active mode is SMTP, and the Gmail or Microsoft
 * account a tenant authorized (revoked or not) is part of the search text. Rows projected from
 * now on carry both (and the support panel's details) from the projection itself.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`UPDATE read_model_tenants SET
    smtp_failing = smtp_failing AND mode = 'smtp',
    search = search
      || COALESCE(E'\n' || lower(record->>'gmailAccount'), '')
      || COALESCE(E'\n' || lower(record->>'microsoftAccount'), '')`.execute(db);
}

/** The old rules cannot be restored from the rows; nothing to undo structurally. */
export async function down(): Promise<void> {}
