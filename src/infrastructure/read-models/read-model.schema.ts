/**
 * Tables of the read models. Rows keep the whole projected record as JSON (what the projection
 * folds from) plus the columns the dashboard filters and counts on.
 */
export const READ_MODEL_SCHEMA = `
CREATE TABLE IF NOT EXISTS checkpoint (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  position   INTEGER NOT NULL,
  generation INTEGER NOT NULL,
  updated_at TEXT
);
INSERT OR IGNORE INTO checkpoint (id, position, generation) VALUES (1, 0, 1);

CREATE TABLE IF NOT EXISTS tenants (
  tenant_id     TEXT PRIMARY KEY,
  mode          TEXT NOT NULL,
  status        TEXT NOT NULL,
  gmail_revoked INTEGER NOT NULL,
  smtp_failing  INTEGER NOT NULL,
  -- lower-cased "tenant id, username, sender" for the dashboard's text search
  search        TEXT NOT NULL,
  record        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tenants_by_status ON tenants (status, tenant_id);
CREATE INDEX IF NOT EXISTS tenants_by_mode ON tenants (mode, tenant_id);
-- Tenants sharing a username (provisioned before usernames were claimed); see sqliteUsernameKey.
CREATE INDEX IF NOT EXISTS tenants_by_username_key ON tenants (
  COALESCE(json_extract(record, '$.usernameKey'), lower(json_extract(record, '$.username'))));

-- The cross-tenant audit index: one row per event, data already redacted.
CREATE TABLE IF NOT EXISTS audit_events (
  position  INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  type      TEXT NOT NULL,
  at_ms     INTEGER,
  event     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_tenant ON audit_events (tenant_id, position);
CREATE INDEX IF NOT EXISTS audit_by_type ON audit_events (type, position);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit_events (at_ms);

-- Event types the projections did not understand: skipped, counted, shown in readiness and metrics.
CREATE TABLE IF NOT EXISTS skipped_events (
  type          TEXT PRIMARY KEY,
  count         INTEGER NOT NULL,
  last_position INTEGER NOT NULL
);
`;

/** See SqliteReadModelDatabase.upgrade; PostgreSQL's twin is migration 0021-dashboard-support. */
export const READ_MODEL_UPGRADE_1 = `
UPDATE tenants SET
  smtp_failing = CASE WHEN mode = 'smtp' THEN smtp_failing ELSE 0 END,
  search = search
    || COALESCE(char(10) || lower(json_extract(record, '$.gmailAccount')), '')
    || COALESCE(char(10) || lower(json_extract(record, '$.microsoftAccount')), '');
`;
