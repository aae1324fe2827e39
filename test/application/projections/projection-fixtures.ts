import { EventQuarantine } from '../../../src/application/projections/event-quarantine';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, type NewEvent } from '../../../src/application/ports/event-store.port';
import { type AuditFilter, type AuditIndex } from '../../../src/application/ports/audit-index.port';
import { type ProjectionLock } from '../../../src/application/ports/projection-lock.port';
import { type ProjectionStore } from '../../../src/application/ports/projection-store.port';
import { type TenantDirectory, type TenantFilter } from '../../../src/application/ports/tenant-directory.port';
import { ProjectionRunner } from '../../../src/application/projections/projection-runner';
import {
  DEFAULT_PROJECTION_SETTINGS,
  type ProjectionSettings,
} from '../../../src/application/projections/projection-settings';
import { type MailConfigEvent } from '../../../src/domain/mail-config/mail-config.events';
import { InMemoryEventStore } from '../../../src/infrastructure/event-store/in-memory.event-store';
import { SqliteEventStore } from '../../../src/infrastructure/event-store/sqlite.event-store';
import { InProcessProjectionLock } from '../../../src/infrastructure/read-models/in-process.projection-lock';
import { SqliteAuditIndex } from '../../../src/infrastructure/read-models/sqlite.audit-index';
import { SqliteProjectionStore } from '../../../src/infrastructure/read-models/sqlite.projection-store';
import { SqliteReadModelDatabase } from '../../../src/infrastructure/read-models/sqlite.read-model-database';
import { SqliteTenantDirectory } from '../../../src/infrastructure/read-models/sqlite.tenant-directory';

/** A stored event as the command handler writes it: explicit type name, metadata with actor and time. */
export function recorded(
  event: MailConfigEvent | { type: string; data: unknown },
  actor = 'agent@acme.example',
  at = new Date().toISOString(),
): NewEvent {
  return {
    eventId: randomUUID(),
    type: event.type,
    data: event.data,
    metadata: { actor, correlationId: randomUUID(), at },
  };
}

export const sealed = (n: number) => ({
  keyId: 'tenant-key-1',
  ciphertext: Buffer.from(`sealed-${n}`).toString('base64'),
});

export const provisioned = (tenantId: string, username: string): MailConfigEvent => ({
  type: 'MailConfigProvisioned',
  data: { tenantId, username, defaultAddress: `support.${username}@smemetrics-email.com` },
});
export const smtpConfigured = (address: string): MailConfigEvent => ({
  type: 'SmtpConfigured',
  data: {
    address,
    host: 'smtp.acme.example',
    port: 587,
    security: 'starttls',
    username: address,
    password: sealed(1),
    passwordChanged: true,
    configuredAt: new Date().toISOString(),
  },
});
export const smtpTested = (ok: boolean): MailConfigEvent => ({
  type: 'SmtpConnectionTested',
  data: {
    ok,
    stage: ok ? 'done' : 'auth',
    message: ok ? 'ok' : '535 authentication failed',
    durationMs: 40,
    testedAt: new Date().toISOString(),
  },
});
export const gmailAuthorized = (account: string): MailConfigEvent => ({
  type: 'GmailAuthorized',
  data: {
    account,
    scopes: ['https://www.googleapis.com/auth/gmail.send'],
    refreshToken: sealed(2),
    authorizedAt: new Date().toISOString(),
  },
});
export const consentRevoked = (reason: 'revoked_at_google' | 'tenant_request'): MailConfigEvent => ({
  type: 'ConsentRevoked',
  data: {
    provider: 'gmail',
    reason,
    account: 'owner@gmail.example',
    revokedAt: new Date().toISOString(),
    googleRevocation: null,
  },
});
export const modeChanged = (from: 'default' | 'gmail' | 'smtp', to: 'default' | 'gmail' | 'smtp'): MailConfigEvent => ({
  type: 'ModeChanged',
  data: { from, to, reason: 'requested' },
});

export async function append(store: EventStore, tenantId: string, ...events: NewEvent[]): Promise<bigint> {
  const result = await store.appendToStream(`mailConfig-${tenantId}`, events, { expectedVersion: 'any' });
  return result.position;
}

export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const clock = { now: () => new Date() };
export const settings: ProjectionSettings = {
  ...DEFAULT_PROJECTION_SETTINGS,
  maxLagMs: 2000,
  retryMs: 50,
  standbyRetryMs: 100,
};

/** The three read-model ports over one storage, with the old one-object reads for short tests. */
export class ReadModelsUnderTest {
  constructor(
    readonly projections: ProjectionStore,
    readonly directory: TenantDirectory,
    readonly audit: AuditIndex,
  ) {}
  checkpoint = () => this.projections.checkpoint();
  position = async () => (await this.projections.checkpoint()).position;
  counts = () => this.directory.counts();
  tenants = (filter: TenantFilter) => this.directory.tenants(filter);
  tenant = (tenantId: string) => this.directory.tenant(tenantId);
  auditEvents = (filter: AuditFilter) => this.audit.auditEvents(filter);
  skipped = () => this.projections.skipped();
}

/** A temporary DATA_DIR with the embedded stores, or the in-memory event store. */
export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'projections-'));
  private readonly closers: Array<() => unknown> = [];

  eventStore(kind: 'memory' | 'sqlite'): EventStore {
    const store = kind === 'memory' ? new InMemoryEventStore() : new SqliteEventStore(join(this.dir, 'events.db'), 20);
    this.closers.push(() => store.close());
    return store;
  }

  readModels(file = 'read-models.db'): ReadModelsUnderTest & { close(): void } {
    const db = new SqliteReadModelDatabase(join(this.dir, file));
    this.closers.push(() => db.close());
    return Object.assign(
      new ReadModelsUnderTest(new SqliteProjectionStore(db), new SqliteTenantDirectory(db), new SqliteAuditIndex(db)),
      { close: () => db.close() },
    );
  }

  runner(
    events: EventStore,
    readModels: ReadModelsUnderTest,
    overrides: Partial<ProjectionSettings> = {},
    lock: ProjectionLock = new InProcessProjectionLock(),
  ): ProjectionRunner {
    const runner = new ProjectionRunner(
      events,
      readModels.projections,
      lock,
      clock,
      { ...settings, ...overrides },
      new EventQuarantine(events, clock),
    );
    this.closers.unshift(() => runner.stop());
    return runner;
  }

  async cleanup(): Promise<void> {
    for (const close of this.closers) await close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Everything the read models answer, for comparing two runs. */
export async function snapshot(readModels: ReadModelsUnderTest) {
  return {
    checkpoint: await readModels.position(),
    counts: await readModels.counts(),
    tenants: await readModels.tenants({ limit: 10_000 }),
    audit: await readModels.auditEvents({ limit: 10_000 }),
    skipped: await readModels.skipped(),
  };
}
