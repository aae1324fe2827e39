import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type NewEvent } from '../../src/application/ports/event-store.port';
import { CURRENT_SCHEMA_VERSION } from '../../src/application/mail-config/event-codec';
import { streamOf } from '../../src/application/mail-config/streams';
import { type MailConfigCommand } from '../../src/domain/mail-config/mail-config.commands';
import { decide, evolve, initialState } from '../../src/domain/mail-config/mail-config.decider';
import { type MailConfigEvent } from '../../src/domain/mail-config/mail-config.events';
import { type MailConfigState } from '../../src/domain/mail-config/mail-config.state';
import { GMAIL_SEND_SCOPE } from '../../src/domain/mail-config/mail-config.types';
import { SqliteEventStore } from '../../src/infrastructure/event-store/sqlite.event-store';
import { progress } from './progress';
import { usernameOf } from './tenants';

const sealed = () => ({ keyId: `dek:${randomUUID()}`, ciphertext: randomBytes(48).toString('base64') });

/**
 * A tenant's life in ten events, decided by the real decider so every event is one the service
 * could have recorded: provisioned, SMTP configured, a failed test, reconfigured and activated, a
 * passing test, Gmail authorized (mode gmail), consent withdrawn (back to default).
 */
function lifeOf(tenantId: string, t0: number): { commands: MailConfigCommand[]; at: (i: number) => string } {
  const at = (i: number) => new Date(t0 + i * 60_000).toISOString();
  const address = `ops@${usernameOf(tenantId)}.example.org`;
  const smtp = { address, host: 'smtp.example.org', port: 587, security: 'starttls' as const, username: address };
  return {
    at,
    commands: [
      {
        type: 'ProvisionMailConfig',
        data: { tenantId, username: usernameOf(tenantId), senderDomain: 'smemetrics-email.com' },
      },
      { type: 'ConfigureSmtp', data: { ...smtp, password: sealed(), activate: false, at: at(1) } },
      {
        type: 'RecordSmtpTest',
        data: { ok: false, stage: 'auth', message: '535 authentication failed', durationMs: 412, at: at(2) },
      },
      { type: 'ConfigureSmtp', data: { ...smtp, password: sealed(), activate: true, force: true, at: at(3) } },
      {
        type: 'RecordSmtpTest',
        data: { ok: true, stage: 'done', message: 'connected and authenticated', durationMs: 388, at: at(4) },
      },
      {
        type: 'AuthorizeGmail',
        data: {
          account: `${usernameOf(tenantId)}@gmail.com`,
          scopes: [GMAIL_SEND_SCOPE, 'openid', 'email'],
          refreshToken: sealed(),
          at: at(5),
        },
      },
      {
        type: 'RevokeGmailConsent',
        data: { reason: 'tenant_request', at: at(6), googleRevocation: { ok: true, message: null } },
      },
    ],
  };
}

/** Extra SmtpConfigured / SmtpConnectionTested pairs, for a tenant with a long history. */
function moreHistory(tenantId: string, n: number, t0: number): MailConfigCommand[] {
  const address = `ops@${usernameOf(tenantId)}.example.org`;
  return Array.from({ length: n }, (_, i): MailConfigCommand =>
    i % 2 === 0
      ? {
          type: 'ConfigureSmtp',
          data: {
            address,
            host: `smtp${i % 7}.example.org`,
            port: 587,
            security: 'starttls',
            username: address,
            password: sealed(),
            activate: false,
            at: new Date(t0 + i * 1000).toISOString(),
          },
        }
      : {
          type: 'RecordSmtpTest',
          data: {
            ok: i % 3 !== 0,
            stage: i % 3 !== 0 ? 'done' : 'connect',
            message: 'bench',
            durationMs: 200,
            at: new Date(t0 + i * 1000).toISOString(),
          },
        },
  );
}

function toNew(events: MailConfigEvent[], at: string, actor: string): NewEvent[] {
  const correlationId = randomUUID();
  return events.map((e) => ({
    eventId: randomUUID(),
    type: e.type,
    data: e.data,
    metadata: { actor, correlationId, at, schemaVersion: CURRENT_SCHEMA_VERSION[e.type] ?? 1 },
  }));
}

/** Decides `commands` in order and returns the events with their metadata. */
function decideAll(
  commands: MailConfigCommand[],
  atOf: (i: number) => string,
  actor: string,
  state: MailConfigState = initialState(),
): NewEvent[] {
  const out: NewEvent[] = [];
  commands.forEach((command, i) => {
    const events = decide(command, state);
    state = events.reduce(evolve, state);
    out.push(...toNew(events, atOf(i), actor));
  });
  return out;
}

const SEED_WINDOW = 256;

/**
 * Writes `ids.length` tenants of ten events each into DATA_DIR/events.db through the SQLite event
 * store (one append per tenant, with its expected version), as a bulk import would.
 */
export async function seedTenants(
  dataDir: string,
  ids: string[],
  label = 'seed',
): Promise<{ events: number; ms: number }> {
  const store = new SqliteEventStore(join(dataDir, 'events.db'));
  const t0 = Date.now();
  let events = 0;
  let lastReport = Date.now();
  try {
    const base = Date.parse('2026-01-01T00:00:00Z');
    // A window of appends issued together shares one group commit (one fsync) in the store;
    // one append awaited at a time would make seeding as slow as one fsync per tenant.
    for (let start = 0; start < ids.length; start += SEED_WINDOW) {
      const window = ids.slice(start, start + SEED_WINDOW).map((id, k) => {
        const i = start + k;
        const life = lifeOf(id, base + i * 1000);
        return { id, batch: decideAll(life.commands, life.at, `user-${i % 977}@customer.example`) };
      });
      await Promise.all(
        window.map(({ id, batch }) => store.appendToStream(streamOf(id), batch, { expectedVersion: 'no_stream' })),
      );
      events += window.reduce((n, w) => n + w.batch.length, 0);
      if (Date.now() - lastReport >= 5000) {
        lastReport = Date.now();
        progress(
          `  ${label}: ${start + window.length}/${ids.length} tenants, ${events.toLocaleString('en-US')} events`,
        );
      }
    }
  } finally {
    await store.close();
  }
  return { events, ms: Date.now() - t0 };
}

/** Writes one tenant with `total` events (its life plus configure/test pairs), `perAppend` at a time. */
export async function seedLongTenant(dataDir: string, tenantId: string, total: number, perAppend = 100): Promise<void> {
  const store = new SqliteEventStore(join(dataDir, 'events.db'));
  try {
    const base = Date.parse('2025-06-01T00:00:00Z');
    const life = lifeOf(tenantId, base);
    const head = decideAll(life.commands, life.at, 'seed');
    const state = [...life.commands].reduce((s, c) => decide(c, s).reduce(evolve, s), initialState());
    const rest = decideAll(
      moreHistory(tenantId, Math.max(0, total - head.length), base + 3_600_000),
      (i) => new Date(base + 3_600_000 + i * 1000).toISOString(),
      'seed',
      state,
    );
    const all = [...head, ...rest].slice(0, total);
    for (let v = 0; v < all.length; v += perAppend) {
      await store.appendToStream(streamOf(tenantId), all.slice(v, v + perAppend), {
        expectedVersion: v === 0 ? 'no_stream' : v,
      });
    }
  } finally {
    await store.close();
  }
}
