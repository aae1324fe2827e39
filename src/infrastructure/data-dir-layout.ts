import { join } from 'node:path';

/**
 * The one place that knows what lives in DATA_DIR (README: Configuration). Everything the service
 * keeps locally is named here, so a backup, a cleanup or a new adapter reads one list.
 */
export const DATA_DIR_LAYOUT = {
  /** SQLite event store (the embedded default; unused on EventStoreDB). */
  events: 'events.db',
  /** The tenants' data keys, wrapped by the master key; a row deleted is a tenant shredded. */
  dataKeys: 'keys.db',
  /** Dashboard rows and the audit index, rebuilt from the events at will. */
  readModels: 'read-models.db',
  /** The webhook queue and its feed's checkpoint, when WEBHOOK_URL is set. */
  webhooks: 'webhooks.db',
  /** Support dashboard sessions, by the hash of their id (ended ones are purged after a day). */
  supportSessions: 'support-sessions.db',
  /** Idempotency-Key records of sends (24 h). */
  idempotency: 'idempotency.db',
  /** One record per message sent or refused, kept DELIVERY_LOG_RETENTION_DAYS. */
  deliveryLog: 'delivery-log.db',
  /** Default-mode mail as .eml files when no DEFAULT_RELAY_URL is set (a directory). */
  outbox: 'outbox',
  /** Generated when ENCRYPTION_KEY(S) is unset (0600). */
  masterKey: 'master.key',
  /** Generated when API_TOKEN / SUPPORT_TOKEN are unset (0600). */
  apiToken: 'api-token',
  supportToken: 'support-token',
} as const;

export type DataDirEntry = keyof typeof DATA_DIR_LAYOUT;

export function dataDirPath(dataDir: string, entry: DataDirEntry): string {
  return join(dataDir, DATA_DIR_LAYOUT[entry]);
}
